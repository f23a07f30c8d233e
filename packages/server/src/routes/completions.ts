import type { Request, Response } from 'express';
import { AbortedError, UnsupportedFeatureError, withGenerationDefaults, type CompletionRequest, type StreamPart, type Usage } from '@llmux/core';
import { validateBody } from '../http/validate-body.js';
import { routeReason, setRouteHeaders } from '../http/route-headers.js';
import { SseWriter } from '../http/sse-writer.js';
import { mergeIndexed } from '../http/merge-streams.js';
import { toHttpError } from '../http/error-response.js';
import { STOPPED_BY_SERVER, toServerError } from '../http/stream-failure.js';
import { completionRequestSchema } from '../openai/completion-request-schema.js';
import { checkPromptCount, DEFAULT_COMPLETION_MAX_TOKENS, toCompletionRequests } from '../openai/to-completion-request.js';
import { newCompletionIdentity, toOpenAIFinishReason, type CompletionIdentity, type OpenAIFinishReason } from '../openai/chat-completion-shapes.js';
import { appendLegacyLogprobs, emptyLegacyLogprobs, type LegacyLogprobs } from '../openai/completion-shapes.js';
import { dispatchTo, startSeededChoices } from '../runtime/dispatch-to.js';
import { collectedFailure } from '../runtime/generation.js';
import type { Runtime } from '../runtime/runtime.js';
import { observeStreams } from '../http/usage-observer.js';
import { serverReason, trackRequest } from './track-request.js';

/** `POST /v1/completions`: raw text continuation, one choice per prompt and `n`, index = prompt * n + choice. */
export function completionsHandler(runtime: Runtime) {
  return async (req: Request, res: Response): Promise<void> => {
    const body = validateBody(completionRequestSchema, req.body);
    const requests = toCompletionRequests(body);
    const choices = body.n ?? 1;
    checkPromptCount(requests.length, choices);
    const tracked = trackRequest(runtime, req, res);
    try {
      const dispatched = await dispatchTo(runtime, body.model, tracked.signal, async (model, target, configured) => {
        const complete = model.complete?.bind(model);
        if (!complete) throw new UnsupportedFeatureError(`The model '${target}' does not do raw text completions.`, { param: 'model' });
        const streams: AsyncIterable<StreamPart>[] = [];
        // If a later prompt cannot start, the earlier prompts' generations are stopped too.
        const started = new AbortController();
        const signal = AbortSignal.any([tracked.signal, started.signal]);
        try {
          for (const request of requests) {
            const defaults = withGenerationDefaults(request.sampling, request.maxTokens, configured);
            const maxTokens = defaults.maxTokens ?? DEFAULT_COMPLETION_MAX_TOKENS;
            const full: CompletionRequest = { ...request, model: target, sampling: defaults.sampling, maxTokens };
            streams.push(...(await startSeededChoices((choice, choiceSignal) => complete(choice, { signal: choiceSignal }), full, choices, signal)));
          }
        } catch (error) {
          started.abort();
          throw error;
        }
        return streams;
      });
      setRouteHeaders(res, dispatched);
      req.log?.info(
        { model: dispatched.model, route: dispatched.decision.strategy, reason: routeReason(dispatched), stream: Boolean(body.stream), user: body.user ?? undefined },
        'text completion',
      );
      const identity = newCompletionIdentity('cmpl', dispatched.model);
      const echoes = dispatched.result.map((_, index) => (body.echo ? requests[Math.floor(index / choices)]!.prompt : ''));
      const shape: ChoiceShape = { echoes, logprobs: body.logprobs != null, choicesPerPrompt: choices };
      const streams = observeStreams(res, dispatched.result);
      if (body.stream) await streamCompletion(res, identity, streams, shape, Boolean(body.stream_options?.include_usage), runtime, tracked.signal);
      else res.json(await collectCompletion(identity, streams, shape, tracked.signal));
    } catch (error) {
      throw tracked.failure(error);
    } finally {
      tracked.end();
    }
  };
}

interface ChoiceShape {
  /** The prompt text each choice starts with (`echo`), else ''. */
  echoes: string[];
  logprobs: boolean;
  choicesPerPrompt: number;
}

function body(identity: CompletionIdentity, choices: unknown[]) {
  return { id: identity.id, object: 'text_completion', created: identity.created, model: identity.model, system_fingerprint: null, choices };
}

/** Prompt tokens count once per prompt (not per choice); completion tokens add up. */
function toUsage(usages: readonly Usage[], choicesPerPrompt: number) {
  let prompt = 0;
  let cached = 0;
  let completion = 0;
  usages.forEach((usage, index) => {
    if (index % choicesPerPrompt === 0) {
      prompt += usage.promptTokens;
      cached += usage.cachedPromptTokens;
    }
    completion += usage.completionTokens;
  });
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion, prompt_tokens_details: { cached_tokens: cached } };
}

async function streamCompletion(
  res: Response,
  identity: CompletionIdentity,
  streams: AsyncIterable<StreamPart>[],
  shape: ChoiceShape,
  includeUsage: boolean,
  runtime: Runtime,
  signal: AbortSignal,
): Promise<void> {
  const sse = new SseWriter(res);
  sse.open();
  const usages: Usage[] = [];
  const offsets = shape.echoes.map((echo) => echo.length);
  const pending = streams.map((): LegacyLogprobs => emptyLegacyLogprobs());
  const chunk = (choices: unknown[]) => ({ ...body(identity, choices), ...(includeUsage ? { usage: null } : {}) });
  const takeLogprobs = (index: number) => {
    if (!shape.logprobs) return null;
    const taken = pending[index]!;
    pending[index] = emptyLegacyLogprobs();
    return taken;
  };
  shape.echoes.forEach((echo, index) => {
    if (echo) sse.data(chunk([{ index, text: echo, logprobs: null, finish_reason: null }]));
  });
  // Ends the stream with one error event (after the first byte no status can be sent).
  const fail = (error: unknown) => {
    if (!sse.writable) return;
    runtime.logger.error({ requestId: res.locals.requestId, err: error }, 'stream ended with an error');
    sse.data(toHttpError(toServerError(error), String(res.locals.requestId)).body);
    sse.end();
  };
  try {
    for await (const { index, value: part } of mergeIndexed(streams)) {
      if (part.type === 'logprobs') offsets[index] = appendLegacyLogprobs(pending[index]!, part, offsets[index]!);
      else if (part.type === 'text-delta') sse.data(chunk([{ index, text: part.text, logprobs: takeLogprobs(index), finish_reason: null }]));
      else if (part.type === 'finish') {
        if (part.reason === 'error' || part.reason === 'abort') {
          fail(part.reason === 'error' ? part.error : (serverReason(signal) ?? new AbortedError(STOPPED_BY_SERVER)));
          return;
        }
        usages[index] = part.usage;
        const leftover = pending[index]!.tokens.length > 0 ? takeLogprobs(index) : null;
        sse.data(chunk([{ index, text: '', logprobs: leftover, finish_reason: toOpenAIFinishReason(part.reason) }]));
      }
    }
  } catch (error) {
    // A backend that throws instead of finishing with `error` still gets a proper end.
    fail(serverReason(signal) ?? error);
    return;
  }
  if (includeUsage) sse.data({ ...body(identity, []), usage: toUsage(usages, shape.choicesPerPrompt) });
  sse.done();
}

async function collectCompletion(identity: CompletionIdentity, streams: AsyncIterable<StreamPart>[], shape: ChoiceShape, signal: AbortSignal) {
  const texts = [...shape.echoes];
  const logprobs = streams.map((): LegacyLogprobs => emptyLegacyLogprobs());
  const offsets = shape.echoes.map((echo) => echo.length);
  const finishes: OpenAIFinishReason[] = [];
  const usages: Usage[] = [];
  for await (const { index, value: part } of mergeIndexed(streams)) {
    if (part.type === 'text-delta') texts[index] += part.text;
    else if (part.type === 'logprobs') offsets[index] = appendLegacyLogprobs(logprobs[index]!, part, offsets[index]!);
    else if (part.type === 'finish') {
      const failure = collectedFailure(part, signal);
      if (failure) throw failure;
      finishes[index] = toOpenAIFinishReason(part.reason);
      usages[index] = part.usage;
    }
  }
  return {
    ...body(
      identity,
      texts.map((text, index) => ({ text, index, logprobs: shape.logprobs ? logprobs[index] : null, finish_reason: finishes[index] ?? 'stop' })),
    ),
    usage: toUsage(usages, shape.choicesPerPrompt),
  };
}
