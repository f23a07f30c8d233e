import type { RouteCandidate, RouteDecision, RouteRequest, Router, RouterState } from '@llmux/core';
import { availableFirst } from './pool-order.js';
import { poolIds } from './resolve-name.js';
import { requirePool } from './round-robin-router.js';

/**
 * Sends a request where it will wait least: the target with the lowest expected wait, i.e.
 * (requests in flight + 1) x recent latency. Targets without a latency yet count as the pool's
 * mean; a model not in memory pays a small penalty (its load). Ties keep the pool's order.
 */
export class LeastLoadedRouter implements Router {
  readonly specificationVersion = 'v1' as const;
  readonly id = 'least-loaded';

  route(request: RouteRequest, candidates: readonly RouteCandidate[], state: RouterState): RouteDecision {
    const pool = requirePool(request, this.id);
    const ids = poolIds(pool.targets, candidates);
    const latencies = ids.map((id) => state.latencyMs?.(id)).filter((l): l is number => l !== undefined);
    const meanLatency = latencies.length > 0 ? latencies.reduce((a, b) => a + b, 0) / latencies.length : 1;
    const cost = (id: string) => {
      const latency = state.latencyMs?.(id) ?? meanLatency;
      const loadPenalty = state.loaded.has(id) ? 1 : 1.5;
      return (state.queueDepth(id) + 1) * latency * loadPenalty;
    };
    const scored = ids.map((id, index) => ({ id, index, cost: cost(id) }));
    scored.sort((a, b) => a.cost - b.cost || a.index - b.index);
    const targets = availableFirst(
      scored.map((s) => s.id),
      state,
    );
    const chosen = targets[0]!;
    return {
      targets,
      strategy: this.id,
      reason: `queue ${state.queueDepth(chosen)}, latency ${Math.round(state.latencyMs?.(chosen) ?? 0)} ms: least loaded of ${ids.length}`,
      mode: 'fallback',
    };
  }
}
