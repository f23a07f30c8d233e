import type { RouteCandidate, RouteDecision, RouteRequest, Router, RouterState } from '@llmux/core';
import { availableFirst } from './pool-order.js';
import { poolIds } from './resolve-name.js';
import { requirePool } from './round-robin-router.js';

/**
 * Shares requests among a pool by weight with smooth weighted round-robin (as nginx does):
 * deterministic, and even over short windows (weights 3:1 give a a b a, not a a a b).
 */
export class WeightedRouter implements Router {
  readonly specificationVersion = 'v1' as const;
  readonly id = 'weighted';
  private readonly current = new Map<string, Map<string, number>>();

  route(request: RouteRequest, candidates: readonly RouteCandidate[], state: RouterState): RouteDecision {
    const pool = requirePool(request, this.id);
    const ids = poolIds(pool.targets, candidates);
    const weights = new Map<string, number>();
    pool.targets.forEach((target, index) => weights.set(ids[index] ?? ids[0]!, target.weight ?? 1));
    const up = ids.filter((id) => state.available?.(id) ?? true);
    const eligible = up.length > 0 ? up : ids;

    const scores = this.current.get(pool.name) ?? new Map<string, number>();
    this.current.set(pool.name, scores);
    let total = 0;
    let best = eligible[0]!;
    for (const id of eligible) {
      const weight = weights.get(id) ?? 1;
      total += weight;
      scores.set(id, (scores.get(id) ?? 0) + weight);
      if (scores.get(id)! > scores.get(best)!) best = id;
    }
    scores.set(best, scores.get(best)! - total);

    const rest = availableFirst(
      ids.filter((id) => id !== best).sort((a, b) => (weights.get(b) ?? 1) - (weights.get(a) ?? 1)),
      state,
    );
    return {
      targets: [best, ...rest],
      strategy: this.id,
      reason: `weight ${weights.get(best)} of ${total} in '${pool.name}'`,
      mode: 'fallback',
    };
  }
}
