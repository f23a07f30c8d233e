import { ErrorCodes, LlmuxError, type GenerationDefaults, type LoadedModel, type RouteDecision, type StreamPart } from '@llmux/core';
import { NEXT_TARGET_CODES, routerFor, routerState } from './dispatch.js';
import type { Runtime } from './runtime.js';

/**
 * Routes a request that is not a chat (text completions, embeddings) and runs `start` on the
 * first target that admits it: the same router and virtual models as chat, each target loaded on
 * demand, and a target that fails before any byte yields to the next. A cascade's quality checks
 * read chat answers, so here a cascade's targets are tried as plain fallbacks.
 */
export async function dispatchTo<T>(
  runtime: Runtime,
  requestedModel: string,
  signal: AbortSignal,
  start: (model: LoadedModel, target: string, defaults: GenerationDefaults | undefined) => Promise<T>,
): Promise<{ model: string; decision: RouteDecision; trail: string[]; result: T }> {
  const { router, pool } = routerFor(runtime, requestedModel);
  const decision = router.route({ requestedModel, ...(pool ? { pool } : {}) }, runtime.manager.candidates(), routerState(runtime));
  const trail: string[] = [];
  let lastError: unknown;
  for (const [position, target] of decision.targets.entries()) {
    try {
      const model = await runtime.manager.acquire(target);
      const result = await start(model, target, runtime.manager.modelConfig(target)?.defaults);
      return { model: target, decision, trail, result };
    } catch (error) {
      lastError = error;
      const code = error instanceof LlmuxError ? error.code : ErrorCodes.internal;
      const isLast = position === decision.targets.length - 1;
      if (isLast || signal.aborted || !NEXT_TARGET_CODES.has(code)) throw error;
      trail.push(`${target} failed (${code})`);
      runtime.logger.warn({ model: target, code, next: decision.targets[position + 1] }, 'target failed before the first byte; trying the next');
    }
  }
  throw lastError;
}

/**
 * Starts `choices` generations of one request. Each choice gets its own seed, so n > 1 with a
 * seed gives n different, reproducible answers; if one cannot start, those started are stopped.
 */
export async function startSeededChoices<R extends { sampling: { seed?: number } }>(
  start: (request: R, signal: AbortSignal) => Promise<AsyncIterable<StreamPart>>,
  request: R,
  choices: number,
  signal: AbortSignal,
): Promise<AsyncIterable<StreamPart>[]> {
  const started: AsyncIterable<StreamPart>[] = [];
  const controller = new AbortController();
  const combined = AbortSignal.any([signal, controller.signal]);
  try {
    for (let index = 0; index < choices; index++) {
      const seed = request.sampling.seed;
      const choice = seed === undefined || index === 0 ? request : { ...request, sampling: { ...request.sampling, seed: seed + index } };
      started.push(await start(choice, combined));
    }
    return started;
  } catch (error) {
    controller.abort();
    throw error;
  }
}
