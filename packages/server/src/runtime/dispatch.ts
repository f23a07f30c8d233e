import {
  LlmuxError,
  withGenerationDefaults,
  type ChatRequest,
  type GenerationDefaults,
  type LoadedModel,
  type RouteDecision,
  type RouteRequest,
  type StreamPart,
} from '@llmux/core';
import type { Runtime } from './runtime.js';

export interface Dispatched {
  /** The configured id of the model that serves the request. */
  model: string;
  decision: RouteDecision;
  /** One stream per requested choice. */
  streams: AsyncIterable<StreamPart>[];
}

/**
 * Routes a request and starts its generations: the router orders the targets, each target is
 * loaded on demand, and a target that fails before any byte (retryable errors) yields to the next.
 */
export async function dispatchChat(
  runtime: Runtime,
  requestedModel: string,
  request: Omit<ChatRequest, 'model'>,
  choices: number,
  signal: AbortSignal,
): Promise<Dispatched> {
  const { model, decision, result } = await dispatchTo(runtime, { requestedModel, request }, async (loaded, target, configured) => {
    const defaults = withGenerationDefaults(request.sampling, request.maxTokens, configured);
    const full: ChatRequest = { ...request, model: target, sampling: defaults.sampling };
    if (defaults.maxTokens !== undefined) full.maxTokens = defaults.maxTokens;
    return startChoices((choice, choiceSignal) => loaded.stream(choice, { signal: choiceSignal }), full, choices, signal);
  });
  return { model, decision, streams: result };
}

/**
 * Routes a request and runs `start` on the first target that admits it: each target is loaded
 * on demand, and one that fails before any byte with a retryable error yields to the next.
 * `start` gets the loaded model, its configured id and its configured generation defaults.
 */
export async function dispatchTo<T>(
  runtime: Runtime,
  route: RouteRequest,
  start: (model: LoadedModel, target: string, defaults: GenerationDefaults | undefined) => Promise<T>,
): Promise<{ model: string; decision: RouteDecision; result: T }> {
  const decision = runtime.router.route(route, runtime.manager.candidates(), runtime.manager.routerState());
  let lastError: unknown;
  for (const [position, target] of decision.targets.entries()) {
    try {
      const model = await runtime.manager.acquire(target);
      const result = await start(model, target, runtime.manager.modelConfig(target)?.defaults);
      return { model: target, decision, result };
    } catch (error) {
      lastError = error;
      const isLast = position === decision.targets.length - 1;
      if (isLast || !(error instanceof LlmuxError) || !error.retryable) throw error;
      runtime.logger.warn({ model: target, code: error.code }, 'target failed before the first byte; trying the next');
    }
  }
  throw lastError;
}

/**
 * Starts `choices` generations of one request. Each choice gets its own seed, so n > 1 with a
 * seed gives n different, reproducible answers; if one cannot start, those started are stopped.
 */
export async function startChoices<R extends { sampling: { seed?: number } }>(
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
