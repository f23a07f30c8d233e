import { LlmuxError, withGenerationDefaults, type ChatRequest, type LoadedModel, type RouteDecision, type StreamPart } from '@llmux/core';
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
  const decision = runtime.router.route(
    { requestedModel, request },
    runtime.manager.candidates(),
    runtime.manager.routerState(),
  );
  let lastError: unknown;
  for (const [position, target] of decision.targets.entries()) {
    try {
      const model = await runtime.manager.acquire(target);
      const defaults = withGenerationDefaults(request.sampling, request.maxTokens, runtime.manager.modelConfig(target)?.defaults);
      const full: ChatRequest = { ...request, model: target, sampling: defaults.sampling };
      if (defaults.maxTokens !== undefined) full.maxTokens = defaults.maxTokens;
      const streams = await startChoices(model, full, choices, signal);
      return { model: target, decision, streams };
    } catch (error) {
      lastError = error;
      const isLast = position === decision.targets.length - 1;
      if (isLast || !(error instanceof LlmuxError) || !error.retryable) throw error;
      runtime.logger.warn({ model: target, code: error.code }, 'target failed before the first byte; trying the next');
    }
  }
  throw lastError;
}

async function startChoices(model: LoadedModel, request: ChatRequest, choices: number, signal: AbortSignal) {
  const started: AsyncIterable<StreamPart>[] = [];
  const controller = new AbortController();
  const combined = AbortSignal.any([signal, controller.signal]);
  try {
    for (let index = 0; index < choices; index++) {
      // Each choice gets its own seed, so n > 1 with a seed gives n different, reproducible answers.
      const seed = request.sampling.seed;
      const choice = seed === undefined || index === 0 ? request : { ...request, sampling: { ...request.sampling, seed: seed + index } };
      started.push(await model.stream(choice, { signal: combined }));
    }
    return started;
  } catch (error) {
    controller.abort();
    throw error;
  }
}
