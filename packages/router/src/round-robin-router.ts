import { InvalidRequestError, type RouteCandidate, type RouteDecision, type RouteRequest, type Router, type RouterState } from '@llmux/core';
import { availableFirst, rotateTo } from './pool-order.js';
import { poolIds } from './resolve-name.js';

/** Takes a pool's targets in turn; the others follow as fallbacks. */
export class RoundRobinRouter implements Router {
  readonly specificationVersion = 'v1' as const;
  readonly id = 'round-robin';
  private readonly next = new Map<string, number>();

  route(request: RouteRequest, candidates: readonly RouteCandidate[], state: RouterState): RouteDecision {
    const pool = requirePool(request, this.id);
    const ids = poolIds(pool.targets, candidates);
    const turn = (this.next.get(pool.name) ?? 0) % ids.length;
    this.next.set(pool.name, turn + 1);
    const targets = availableFirst(rotateTo(ids, turn), state);
    return { targets, strategy: this.id, reason: `turn ${turn + 1} of ${ids.length} in '${pool.name}'`, mode: 'fallback' };
  }
}

/** The pool of a virtual model; strategies over pools make no sense for a plain model name. */
export function requirePool(request: RouteRequest, strategy: string) {
  if (!request.pool) {
    throw new InvalidRequestError(`The '${strategy}' strategy routes virtual models only: configure one under router.virtual.`, {
      param: 'model',
    });
  }
  return request.pool;
}
