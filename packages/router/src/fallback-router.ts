import type { RouteCandidate, RouteDecision, RouteRequest, Router, RouterState } from '@llmux/core';
import { availableFirst } from './pool-order.js';
import { poolIds } from './resolve-name.js';
import { requirePool } from './round-robin-router.js';

/**
 * Tries a pool's targets in their configured order: the next one serves when the previous fails
 * before the first byte (load failure, out of memory, upstream down, overloaded, or a prompt too
 * long for its context). Targets cooling down after repeated failures go last.
 */
export class FallbackRouter implements Router {
  readonly specificationVersion = 'v1' as const;
  readonly id = 'fallback';

  route(request: RouteRequest, candidates: readonly RouteCandidate[], state: RouterState): RouteDecision {
    const pool = requirePool(request, this.id);
    const ordered = poolIds(pool.targets, candidates);
    const targets = availableFirst(ordered, state);
    const skipped = ordered.filter((id) => !(state.available?.(id) ?? true));
    const reason = `chain ${ordered.join(' > ')}${skipped.length > 0 ? `; cooling down: ${skipped.join(', ')}` : ''}`;
    return { targets, strategy: this.id, reason, mode: 'fallback' };
  }
}
