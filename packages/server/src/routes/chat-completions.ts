import type { Request, Response } from 'express';
import { AbortedError, type StreamPart, type Usage } from '@llmux/core';
import { validateBody } from '../http/validate-body.js';
import { SseWriter } from '../http/sse-writer.js';
import { mergeIndexed } from '../http/merge-streams.js';
import { toHttpError } from '../http/error-response.js';
import { STOPPED_BY_SERVER, toServerError } from '../http/stream-failure.js';
import { chatCompletionRequestSchema } from '../openai/chat-request-schema.js';
import { toChatRequest } from '../openai/to-chat-request.js';
import {
  newCompletionIdentity,
  toOpenAIContentLogprobs,
  toOpenAIFinishReason,
  toOpenAIUsage,
  type CompletionIdentity,
  type OpenAIContentLogprob,
  type OpenAIFinishReason,
} from '../openai/chat-completion-shapes.js';
import { dispatchChat } from '../runtime/dispatch.js';
import { routeReason, setRouteHeaders } from '../http/route-headers.js';
import { collectedFailure } from '../runtime/generation.js';
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
        const options = { includeUsage: Boolean(body.stream_options?.include_usage), logprobs: Boolean(body.logprobs) };
        await streamChat(res, identity, streams, options, runtime, tracked.signal);
      } else {
        res.json(await collectChat(identity, streams, Boolean(body.logprobs), tracked.signal));
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
  { includeUsage, logprobs }: { includeUsage: boolean; logprobs: boolean },
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
    sse.openingData(chunk([{ index, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null }])),
  );
  // Ends the stream with one error event (after the first byte no status can be sent).
  const fail = (error: unknown) => {
    if (!sse.writable) return;
    const { body } = toHttpError(toServerError(error), String(res.locals.requestId));
    runtime.logger.error({ requestId: res.locals.requestId, err: error }, 'stream ended with an error');
    sse.data(body);
    sse.end();
  };
  // A token's logprobs arrive right before its text; they travel in the same chunk, as OpenAI sends them.
  const pending = streams.map((): OpenAIContentLogprob[] => []);
  const takeLogprobs = (index: number) => {
    if (!logprobs) return null;
    const content = pending[index]!.splice(0);
    return { content, refusal: null };
  };
  try {
    for await (const { index, value: part } of mergeIndexed(streams)) {
      if (part.type === 'logprobs') {
        pending[index]!.push(...toOpenAIContentLogprobs(part));
      } else if (part.type === 'text-delta') {
        sse.data(chunk([{ index, delta: { content: part.text }, logprobs: takeLogprobs(index), finish_reason: null }]));
      } else if (part.type === 'tool-call-start') {
        const call = { index: part.index, id: part.id, type: 'function', function: { name: part.name, arguments: '' } };
        sse.data(chunk([{ index, delta: { tool_calls: [call] }, logprobs: null, finish_reason: null }]));
      } else if (part.type === 'tool-call-delta') {
        const fragment = { index: part.index, function: { arguments: part.argumentsDelta } };
        sse.data(chunk([{ index, delta: { tool_calls: [fragment] }, logprobs: null, finish_reason: null }]));
      } else if (part.type === 'finish') {
        if (part.reason === 'error' || part.reason === 'abort') {
          fail(
            part.reason === 'error'
              ? part.error
              : (serverReason(signal) ?? new AbortedError(STOPPED_BY_SERVER)),
          );
          return;
        }
        usages[index] = part.usage;
        if (pending[index]!.length > 0) sse.data(chunk([{ index, delta: { content: '' }, logprobs: takeLogprobs(index), finish_reason: null }]));
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

async function collectChat(identity: CompletionIdentity, streams: AsyncIterable<StreamPart>[], logprobs: boolean, signal: AbortSignal) {
  const texts = streams.map(() => '');
  const tokenLogprobs = streams.map((): OpenAIContentLogprob[] => []);
  const toolCalls = streams.map((): OpenAIToolCall[] => []);
  const finishes: OpenAIFinishReason[] = [];
  const usages: Usage[] = [];
  for await (const { index, value: part } of mergeIndexed(streams)) {
    if (part.type === 'text-delta') texts[index] += part.text;
    else if (part.type === 'logprobs') tokenLogprobs[index]!.push(...toOpenAIContentLogprobs(part));
    else if (part.type === 'tool-call-start') {
      toolCalls[index]![part.index] = { id: part.id, type: 'function', function: { name: part.name, arguments: '' } };
    } else if (part.type === 'tool-call-delta') {
      const call = toolCalls[index]![part.index];
      if (call) call.function.arguments += part.argumentsDelta;
    } else if (part.type === 'finish') {
      const failure = collectedFailure(part, signal);
      if (failure) throw failure;
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
      message: toAssistantMessage(content, toolCalls[index]!),
      logprobs: logprobs ? { content: tokenLogprobs[index]!, refusal: null } : null,
      finish_reason: finishes[index] ?? 'stop',
    })),
    usage: toOpenAIUsage(usages),
  };
}

interface OpenAIToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** OpenAI sends `content: null` when the assistant only calls tools, and no `tool_calls` key when it calls none. */
function toAssistantMessage(content: string, toolCalls: OpenAIToolCall[]) {
  if (toolCalls.length === 0) return { role: 'assistant', content, refusal: null };
  return { role: 'assistant', content: content === '' ? null : content, refusal: null, tool_calls: toolCalls };
}
