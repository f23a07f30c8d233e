import type { Request, Response } from 'express';
import type { ChatRequest, FinishPart, ToolCall } from '@llmux/core';
import { trackRequest } from '../routes/track-request.js';
import { dispatchChat } from '../runtime/dispatch.js';
import { streamFailure } from '../runtime/generation.js';
import type { Runtime } from '../runtime/runtime.js';
import { GenerationClock, type OllamaTimings } from './generation-clock.js';
import { applyKeepAlive } from './apply-keep-alive.js';
import { NdjsonWriter } from './ndjson-writer.js';
import { toOllamaError } from './ollama-error.js';

/** How one endpoint (`/api/chat` or `/api/generate`) words its lines. */
export interface OllamaLineShape {
  /** A streamed piece of text. */
  piece(head: LineHead, text: string): object;
  /** A line with finished tool calls (chat only). */
  toolCalls?(head: LineHead, calls: OllamaToolCall[]): object;
  /** The last line (streaming) or the whole body: all text when not streamed, '' when it was. */
  final(head: LineHead, text: string, calls: OllamaToolCall[], doneReason: string, timings: OllamaTimings): object;
}

export interface LineHead {
  model: string;
  created_at: string;
}

export interface OllamaToolCall {
  function: { name: string; arguments: unknown };
}

export interface OllamaGeneration {
  /** The model name as the client sent it (echoed in every line). */
  requestedModel: string;
  /** The name the router gets (tag dropped). */
  routed: string;
  request: Omit<ChatRequest, 'model'>;
  stream: boolean;
  /** Parsed `keep_alive` seconds, when the request set it. */
  keepAliveSeconds: number | undefined;
  shape: OllamaLineShape;
}

/** Runs a generation and answers in Ollama's words: NDJSON lines, or one JSON body with `stream: false`. */
export async function runOllamaGeneration(runtime: Runtime, req: Request, res: Response, job: OllamaGeneration): Promise<void> {
  const clock = new GenerationClock();
  const tracked = trackRequest(runtime, req, res);
  try {
    const dispatched = await dispatchChat(runtime, job.routed, job.request, 1, tracked.signal);
    clock.markAdmitted();
    res.setHeader('x-llmux-model', dispatched.model);
    res.setHeader('x-llmux-route', dispatched.decision.strategy);
    req.log?.info({ model: dispatched.model, stream: job.stream }, 'ollama generation');
    const head = (): LineHead => ({ model: job.requestedModel, created_at: new Date().toISOString() });
    const writer = job.stream ? new NdjsonWriter(res) : undefined;
    writer?.open();
    let text = '';
    const calls: ToolCall[] = [];
    let finish: FinishPart | undefined;
    for await (const part of dispatched.streams[0]!) {
      if (part.type === 'text-delta') {
        clock.markOutput();
        text += part.text;
        writer?.line(job.shape.piece(head(), part.text));
      } else if (part.type === 'tool-call-start') {
        clock.markOutput();
        calls[part.index] = { id: part.id, name: part.name, arguments: '' };
      } else if (part.type === 'tool-call-delta') {
        if (calls[part.index]) calls[part.index]!.arguments += part.argumentsDelta;
      } else if (part.type === 'tool-call-end') {
        // Ollama sends each call whole, in a line of its own.
        const call = calls[part.index];
        if (writer && call && job.shape.toolCalls) writer.line(job.shape.toolCalls(head(), [toOllamaToolCall(call)]));
      } else if (part.type === 'finish') {
        finish = part;
      }
    }
    const failure = finish ? streamFailure(finish) : undefined;
    if (!finish || failure) {
      const error = failure ?? new Error('The generation ended without a finish.');
      if (!writer) throw error;
      runtime.logger.error({ requestId: res.locals.requestId, err: finish?.error ?? error }, 'stream ended with an error');
      if (failure) writer.line(toOllamaError(failure, String(res.locals.requestId)).body);
      writer.end();
      return;
    }
    if (job.keepAliveSeconds !== undefined) applyKeepAlive(runtime, dispatched.model, job.keepAliveSeconds);
    const doneReason = finish.reason === 'length' ? 'length' : 'stop';
    const timings = clock.timings(finish.usage);
    const ollamaCalls = calls.filter(Boolean).map(toOllamaToolCall);
    if (writer) {
      writer.line(job.shape.final(head(), '', writer && job.shape.toolCalls ? [] : ollamaCalls, doneReason, timings));
      writer.end();
    } else {
      res.json(job.shape.final(head(), text, ollamaCalls, doneReason, timings));
    }
  } finally {
    tracked.end();
  }
}

function toOllamaToolCall(call: ToolCall): OllamaToolCall {
  let args: unknown;
  try {
    args = JSON.parse(call.arguments || '{}');
  } catch {
    args = { _raw: call.arguments };
  }
  return { function: { name: call.name, arguments: args } };
}
