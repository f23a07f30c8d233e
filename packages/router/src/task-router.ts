import type { RouteCandidate, RouteDecision, RouteRequest, Router, RouterState } from '@llmux/core';
import { availableFirst } from './pool-order.js';
import { poolIds, requireCandidate } from './resolve-name.js';
import { requirePool } from './round-robin-router.js';
import { classifyTask } from './task-classifier.js';

/** Tasks read from the request's own features; an embedding match never overrides them. */
const FEATURE_TASKS: ReadonlySet<string> = new Set(['tool-use', 'structured-output', 'long-context']);

/**
 * Classifies each request (tool use, structured output, long context, code, math, reasoning,
 * chat) and sends it to the target configured for that task; a target with task `default`
 * (or else the first) takes what no target claims. The other targets follow as fallbacks.
 * With an embedding model configured (`options.embeddingModel`), the server finds the example
 * request closest to this one (`hints.nearestExample`); when it is at least `options.minSimilarity`
 * (default 0.5) alike, its task wins over the keyword rules.
 */
export class TaskRouter implements Router {
  readonly specificationVersion = 'v1' as const;
  readonly id = 'task';

  route(request: RouteRequest, candidates: readonly RouteCandidate[], state: RouterState): RouteDecision {
    const pool = requirePool(request, this.id);
    const longContextChars = typeof pool.options.longContextChars === 'number' ? pool.options.longContextChars : undefined;
    const minSimilarity = typeof pool.options.minSimilarity === 'number' ? pool.options.minSimilarity : 0.5;
    const rules = classifyTask(request.request, longContextChars !== undefined ? { longContextChars } : {});
    const nearest = request.hints?.nearestExample;
    const byExample = nearest && !FEATURE_TASKS.has(rules.task) && nearest.similarity >= minSimilarity;
    const task = byExample ? nearest.task : rules.task;
    const reasons = byExample ? [`nearest example "${nearest.example.slice(0, 60)}" ${nearest.similarity.toFixed(2)}`] : rules.reasons;
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
