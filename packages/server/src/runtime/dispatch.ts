import {
  coalesceTextDeltas,
  ErrorCodes,
  LlmuxError,
  withGenerationDefaults,
  type ChatRequest,
  type RouteDecision,
  type RoutePool,
  type Router,
  type RouterState,
  type StreamPart,
} from '@llmux/core';
import { failedCheck } from './cascade-checks.js';
import { collectParts, observeFinish, replayParts } from './replay-stream.js';
import type { Runtime } from './runtime.js';

export interface Dispatched {
  /** The configured id of the model that serves the request. */
  model: string;
  decision: RouteDecision;
  /** What happened on the way, appended to the decision's reason (fallbacks taken, escalations). */
  trail: string[];
  /** One stream per requested choice. */
  streams: AsyncIterable<StreamPart>[];
}

type ChatBody = Omit<ChatRequest, 'model'>;

/** Errors after which the next target may succeed where this one failed before the first byte (chat, completions, embeddings). */
export const NEXT_TARGET_CODES: ReadonlySet<string> = new Set([
  ErrorCodes.contextLengthExceeded,
  ErrorCodes.unsupportedFeature,
  ErrorCodes.modelLoadFailed,
  ErrorCodes.insufficientMemory,
  ErrorCodes.backendUnavailable,
  ErrorCodes.overloaded,
  ErrorCodes.generationFailed,
  ErrorCodes.internal,
]);

/** Passing conditions worth retrying on the same target (a failed load has its own cooldown instead). */
const RETRY_SAME_TARGET_CODES: ReadonlySet<string> = new Set([ErrorCodes.overloaded, ErrorCodes.backendUnavailable]);

/** Errors that say the target itself is unwell (they count towards its cooldown). */
const TARGET_FAULT_CODES: ReadonlySet<string> = new Set([
  ErrorCodes.modelLoadFailed,
  ErrorCodes.insufficientMemory,
  ErrorCodes.backendUnavailable,
  ErrorCodes.generationFailed,
  ErrorCodes.internal,
]);

/**
 * Routes a request and starts its generations. The strategy orders the targets; each target is
 * loaded on demand; retryable failures are retried with backoff, and a target that fails before
 * the first byte yields to the next. A cascade lets each target answer in full until one passes.
 */
export async function dispatchChat(
  runtime: Runtime,
  requestedModel: string,
  request: ChatBody,
  choices: number,
  signal: AbortSignal,
): Promise<Dispatched> {
  const { router, pool } = routerFor(runtime, requestedModel);
  const hints = await runtime.taskHints.hintsFor(pool, router.id, request);
  const decision = router.route(
    { requestedModel, request, ...(pool ? { pool } : {}), ...(hints ? { hints } : {}) },
    runtime.manager.candidates(),
    routerState(runtime),
  );
  runtime.logger.debug({ requestedModel, decision }, 'route decided');
  const dispatched =
    decision.mode === 'cascade'
      ? await runCascade(runtime, decision, request, choices, signal)
      : await runFallbacks(runtime, decision, request, choices, signal);
  const windowMs = runtime.config.server.streamInterval * 1000;
  return { ...dispatched, streams: dispatched.streams.map((stream) => coalesceTextDeltas(stream, windowMs)) };
}

/** The router for a name: a virtual model's own strategy, else the global one. */
export function routerFor(runtime: Runtime, requestedModel: string): { router: Router; pool?: RoutePool } {
  const virtual = runtime.config.router.virtual[requestedModel];
  if (!virtual) return { router: runtime.router };
  return {
    router: runtime.routers.require(virtual.strategy),
    pool: { name: requestedModel, targets: virtual.targets, options: virtual.options },
  };
}

export function routerState(runtime: Runtime): RouterState {
  return {
    ...runtime.manager.routerState(),
    latencyMs: (id) => runtime.health.latencyMs(id),
    available: (id) => runtime.health.available(id),
  };
}

async function runFallbacks(runtime: Runtime, decision: RouteDecision, request: ChatBody, choices: number, signal: AbortSignal): Promise<Dispatched> {
  const trail: string[] = [];
  let lastError: unknown;
  for (const [position, target] of decision.targets.entries()) {
    try {
      const streams = await startWithRetries(runtime, target, request, choices, signal);
      return { model: target, decision, trail, streams: streams.map((s) => observeOutcome(runtime, target, s)) };
    } catch (error) {
      lastError = error;
      const code = error instanceof LlmuxError ? error.code : ErrorCodes.internal;
      if (TARGET_FAULT_CODES.has(code)) runtime.health.recordFailure(target);
      const isLast = position === decision.targets.length - 1;
      if (isLast || signal.aborted || !NEXT_TARGET_CODES.has(code)) throw error;
      trail.push(`${target} failed (${code})`);
      runtime.logger.warn({ model: target, code, next: decision.targets[position + 1] }, 'target failed before the first byte; trying the next');
    }
  }
  throw lastError;
}

async function runCascade(runtime: Runtime, decision: RouteDecision, request: ChatBody, choices: number, signal: AbortSignal): Promise<Dispatched> {
  const trail: string[] = [];
  let answer: { model: string; parts: StreamPart[][] } | undefined;
  let lastError: unknown;
  for (const [position, target] of decision.targets.entries()) {
    const isLast = position === decision.targets.length - 1;
    let parts: StreamPart[][];
    try {
      const streams = await startWithRetries(runtime, target, request, choices, signal);
      parts = await Promise.all(streams.map((s) => collectParts(observeOutcome(runtime, target, s))));
    } catch (error) {
      lastError = error;
      const code = error instanceof LlmuxError ? error.code : ErrorCodes.internal;
      if (isLast || signal.aborted || !NEXT_TARGET_CODES.has(code)) {
        if (answer) break;
        throw error;
      }
      trail.push(`${target} failed (${code})`);
      continue;
    }
    answer = { model: target, parts };
    const failure = parts.map((p) => failedCheck(p, request, decision.escalateOn ?? [])).find((f) => f !== undefined);
    if (!failure) break;
    if (!isLast) trail.push(`${target} escalated: ${failure}`);
  }
  if (!answer) throw lastError;
  return { model: answer.model, decision, trail, streams: answer.parts.map(replayParts) };
}

async function startWithRetries(runtime: Runtime, target: string, request: ChatBody, choices: number, signal: AbortSignal) {
  const { attempts, backoffMs } = runtime.config.router.retry;
  for (let attempt = 0; ; attempt++) {
    try {
      return await startChoices(runtime, target, request, choices, signal);
    } catch (error) {
      const retryable = error instanceof LlmuxError && RETRY_SAME_TARGET_CODES.has(error.code);
      if (!retryable || attempt >= attempts || signal.aborted) throw error;
      await sleep(backoffMs * 2 ** attempt, signal);
    }
  }
}

async function startChoices(runtime: Runtime, target: string, request: ChatBody, choices: number, signal: AbortSignal) {
  const model = await runtime.manager.acquire(target);
  const defaults = withGenerationDefaults(request.sampling, request.maxTokens, runtime.manager.modelConfig(target)?.defaults);
  const full: ChatRequest = { ...request, model: target, sampling: defaults.sampling };
  if (defaults.maxTokens !== undefined) full.maxTokens = defaults.maxTokens;
  const started: AsyncIterable<StreamPart>[] = [];
  const controller = new AbortController();
  const combined = AbortSignal.any([signal, controller.signal]);
  try {
    for (let index = 0; index < choices; index++) {
      // Each choice gets its own seed, so n > 1 with a seed gives n different, reproducible answers.
      const seed = full.sampling.seed;
      const choice = seed === undefined || index === 0 ? full : { ...full, sampling: { ...full.sampling, seed: seed + index } };
      started.push(await model.stream(choice, { signal: combined }));
    }
    return started;
  } catch (error) {
    controller.abort();
    throw error;
  }
}

/** Feeds each generation's outcome to the routing health: latency on success, a failure on error. */
function observeOutcome(runtime: Runtime, target: string, stream: AsyncIterable<StreamPart>): AsyncIterable<StreamPart> {
  const started = performance.now();
  return observeFinish(stream, (finish) => {
    if (finish?.reason === 'error') runtime.health.recordFailure(target);
    else if (finish && finish.reason !== 'abort') runtime.health.recordSuccess(target, performance.now() - started);
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
