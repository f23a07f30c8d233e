import { InvalidRequestError, type CascadeCheck, type RouteCandidate, type RouteDecision, type RouteRequest, type Router, type RouterState } from '@llmux/core';
import { poolIds } from './resolve-name.js';
import { requirePool } from './round-robin-router.js';

const CHECKS: readonly CascadeCheck[] = ['length', 'invalid_json', 'schema', 'empty'];

/**
 * Small model first: each target answers in full, and the answer is returned only if it passes
 * the checks (`escalateOn`: it did not stop at the token limit, its JSON parses and matches the
 * requested schema, it is not empty); otherwise the next, larger target answers.
 */
export class CascadeRouter implements Router {
  readonly specificationVersion = 'v1' as const;
  readonly id = 'cascade';

  route(request: RouteRequest, candidates: readonly RouteCandidate[], _state: RouterState): RouteDecision {
    const pool = requirePool(request, this.id);
    const targets = poolIds(pool.targets, candidates);
    const escalateOn = CascadeRouter.checksFrom(pool.options);
    return {
      targets,
      strategy: this.id,
      reason: `${targets.join(' > ')}, escalating on ${escalateOn.join('/')}`,
      mode: 'cascade',
      escalateOn,
    };
  }

  /** The checks named by `options.escalateOn` (all by default); unknown names are an error. */
  static checksFrom(options: Readonly<Record<string, unknown>>): CascadeCheck[] {
    return parseChecks(options.escalateOn);
  }
}

function parseChecks(value: unknown): CascadeCheck[] {
  if (value === undefined) return [...CHECKS];
  const list = Array.isArray(value) ? value : [value];
  for (const check of list) {
    if (!CHECKS.includes(check as CascadeCheck)) {
      throw new InvalidRequestError(`Unknown cascade check '${String(check)}' in router.virtual: use ${CHECKS.join(', ')}.`);
    }
  }
  return list as CascadeCheck[];
}
