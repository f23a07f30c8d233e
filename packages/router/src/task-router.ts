import type { RouteCandidate, RouteDecision, RouteRequest, Router, RouterState } from '@llmux/core';
import { availableFirst } from './pool-order.js';
import { poolIds, requireCandidate } from './resolve-name.js';
import { requirePool } from './round-robin-router.js';
import { classifyTask } from './task-classifier.js';

/**
 * Classifies each request (tool use, structured output, long context, code, math, reasoning,
 * chat) and sends it to the target configured for that task; a target with task `default`
 * (or else the first) takes what no target claims. The other targets follow as fallbacks.
 */
export class TaskRouter implements Router {
  readonly specificationVersion = 'v1' as const;
  readonly id = 'task';

  route(request: RouteRequest, candidates: readonly RouteCandidate[], state: RouterState): RouteDecision {
    const pool = requirePool(request, this.id);
    const longContextChars = typeof pool.options.longContextChars === 'number' ? pool.options.longContextChars : undefined;
    const { task, reasons } = classifyTask(request.request, longContextChars !== undefined ? { longContextChars } : {});
    const byTask = pool.targets.find((t) => t.task === task);
    const fallback = pool.targets.find((t) => t.task === 'default') ?? pool.targets[0]!;
    const chosen = requireCandidate((byTask ?? fallback).model, candidates).id;
    const rest = availableFirst(
      poolIds(pool.targets, candidates).filter((id) => id !== chosen),
      state,
    );
    const via = byTask ? `task '${task}'` : `task '${task}' has no target: default`;
    return {
      targets: [chosen, ...rest],
      strategy: this.id,
      reason: `${via} (${reasons.join(', ')})`,
      mode: 'fallback',
      task,
    };
  }
}
