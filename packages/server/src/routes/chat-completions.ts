import type { Request, Response } from 'express';
import { AbortedError, BackendUnavailableError, toLlmuxError, type LlmuxError, type StreamPart, type Usage } from '@llmux/core';
import { validateBody } from '../http/validate-body.js';
import { SseWriter } from '../http/sse-writer.js';
import { mergeIndexed } from '../http/merge-streams.js';
import { toHttpError } from '../http/error-response.js';
import { chatCompletionRequestSchema } from '../openai/chat-request-schema.js';
import { toChatRequest } from '../openai/to-chat-request.js';
import {
  newCompletionIdentity,
  toOpenAIFinishReason,
  toOpenAIUsage,
  type CompletionIdentity,
  type OpenAIFinishReason,
} from '../openai/chat-completion-shapes.js';
import { dispatchChat } from '../runtime/dispatch.js';
import { routeReason, setRouteHeaders } from '../http/route-headers.js';
import type { Runtime } from '../runtime/runtime.js';
import { observeStreams } from '../http/usage-observer.js';
import { serverReason, trackRequest } from './track-request.js';

/** `POST /v1/chat/completions` */
export function chatCompletionsHandler(runtime: Runtime) {
  return async (req: Request, res: Response): Promise<void> => {
    const body = validateBody(chatCompletionRequestSchema, req.body);
    const request = toChatRequest(body);
    const choices = body.n ?? 1;
    const tracked = trackRequest(runtime, req, res);
    try {
      const dispatched = await dispatchChat(runtime, body.model, request, choices, tracked.signal);
      setRouteHeaders(res, dispatched);
      req.log?.info(
        { model: dispatched.model, route: dispatched.decision.strategy, reason: routeReason(dispatched), stream: Boolean(body.stream), user: body.user ?? undefined },
        'chat completion',
      );
      // Prompts are the users' data: only at debug level.
      req.log?.debug({ messages: body.messages }, 'chat completion messages');
      const identity = newCompletionIdentity('chatcmpl', dispatched.model);
      const streams = observeStreams(res, dispatched.streams);
      if (body.stream) {
        await streamChat(res, identity, streams, Boolean(body.stream_options?.include_usage), runtime, tracked.signal);
      } else {
        res.json(await collectChat(identity, streams, tracked.signal));
      }
    } catch (error) {
      throw tracked.failure(error);
    } finally {
      tracked.end();
    }
  };
}

async function streamChat(
  res: Response,
  identity: CompletionIdentity,
  streams: AsyncIterable<StreamPart>[],
  includeUsage: boolean,
  runtime: Runtime,
  signal: AbortSignal,
): Promise<void> {
  const sse = new SseWriter(res);
  sse.open();
  const usages: Usage[] = [];
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) => ({
    id: identity.id,
    object: 'chat.completion.chunk',
    created: identity.created,
    model: identity.model,
    system_fingerprint: null,
    choices,
    ...(includeUsage ? { usage: null } : {}),
    ...extra,
  });
  streams.forEach((_, index) =>
    sse.data(chunk([{ index, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null }])),
  );
  // Ends the stream with one error event (after the first byte no status can be sent).
  const fail = (error: unknown) => {
    if (!sse.writable) return;
    const { body } = toHttpError(toServerError(error), String(res.locals.requestId));
    runtime.logger.error({ requestId: res.locals.requestId, err: error }, 'stream ended with an error');
    sse.data(body);
    sse.end();
  };
  try {
    for await (const { index, value: part } of mergeIndexed(streams)) {
      if (part.type === 'text-delta') {
        sse.data(chunk([{ index, delta: { content: part.text }, logprobs: null, finish_reason: null }]));
      } else if (part.type === 'finish') {
        if (part.reason === 'error' || part.reason === 'abort') {
          fail(
            part.reason === 'error'
              ? part.error
              : (serverReason(signal) ?? new AbortedError('The generation was stopped: the server is shutting down or the model was unloaded.')),
          );
          return;
        }
        usages[index] = part.usage;
        sse.data(chunk([{ index, delta: {}, logprobs: null, finish_reason: toOpenAIFinishReason(part.reason) }]));
      }
    }
  } catch (error) {
    // A backend that throws instead of finishing with `error` still gets a proper end.
    fail(serverReason(signal) ?? error);
    return;
  }
  if (includeUsage) sse.data({ ...chunk([]), usage: toOpenAIUsage(usages) });
  sse.done();
}

async function collectChat(identity: CompletionIdentity, streams: AsyncIterable<StreamPart>[], signal: AbortSignal) {
  const texts = streams.map(() => '');
  const finishes: OpenAIFinishReason[] = [];
  const usages: Usage[] = [];
  for await (const { index, value: part } of mergeIndexed(streams)) {
    if (part.type === 'text-delta') texts[index] += part.text;
    else if (part.type === 'finish') {
      if (part.reason === 'error') throw part.error;
      if (part.reason === 'abort') {
        const reason = serverReason(signal);
        if (reason) throw reason;
        if (signal.aborted) throw new AbortedError('The client closed the connection.');
        throw new BackendUnavailableError('The generation was stopped: the server is shutting down or the model was unloaded.');
      }
      finishes[index] = toOpenAIFinishReason(part.reason);
      usages[index] = part.usage;
    }
  }
  return {
    id: identity.id,
    object: 'chat.completion',
    created: identity.created,
    model: identity.model,
    system_fingerprint: null,
    choices: texts.map((content, index) => ({
      index,
      message: { role: 'assistant', content, refusal: null },
      logprobs: null,
      finish_reason: finishes[index] ?? 'stop',
    })),
    usage: toOpenAIUsage(usages),
  };
}

/** An abort the client did not ask for (shutdown, unload) is the server's failure, not the client's. */
function toServerError(error: unknown): LlmuxError {
  return error instanceof AbortedError ? new BackendUnavailableError(error.message) : toLlmuxError(error);
}
