import type { Request, Response } from 'express';
import { BackendUnavailableError, UnsupportedFeatureError, withGenerationDefaults, type CompletionRequest, type LlmuxError, type StreamPart } from '@llmux/core';
import { trackRequest } from '../routes/track-request.js';
import { setRouteHeaders } from '../http/route-headers.js';
import { dispatchChat } from '../runtime/dispatch.js';
import { dispatchTo } from '../runtime/dispatch-to.js';
import { collectedFailure, thrownFailure } from '../runtime/generation.js';
import { observeStreams } from '../http/usage-observer.js';
import type { Runtime } from '../runtime/runtime.js';
import { applyKeepAlive } from './apply-keep-alive.js';
import { GenerationClock } from './generation-clock.js';
import { NdjsonWriter } from './ndjson-writer.js';
import { toOllamaError } from './ollama-error.js';
import { OllamaReply, type OllamaLineShape } from './ollama-reply.js';
import type { GenerateJob } from './to-chat-request.js';

export interface OllamaGeneration {
  /** The model name as the client sent it (echoed in every line). */
  requestedModel: string;
  /** The name the router gets (tag dropped). */
  routed: string;
  job: GenerateJob;
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
    const dispatched = await start(runtime, job.routed, job.job, tracked.signal);
    clock.markAdmitted();
    setRouteHeaders(res, dispatched);
    req.log?.info({ model: dispatched.model, stream: job.stream }, 'ollama generation');
    const reply = new OllamaReply(job.shape, job.requestedModel, clock, job.stream);
    const writer = job.stream ? new NdjsonWriter(res) : undefined;
    writer?.open();
    let thrown: LlmuxError | undefined;
    try {
      for await (const part of observeStreams(res, [dispatched.stream])[0]!) for (const line of reply.accept(part)) writer?.line(line);
    } catch (error) {
      // A backend that throws instead of finishing with `error` still gets a proper end.
      thrown = thrownFailure(error, tracked.signal);
    }
    if (!writer) {
      const failure = thrown ?? (reply.finish ? collectedFailure(reply.finish, tracked.signal) : new BackendUnavailableError('The generation ended without a finish.'));
      if (failure) throw failure;
    } else {
      const failure = thrown ?? (reply.finish ? reply.failure(tracked.signal) : new BackendUnavailableError('The generation ended without a finish.'));
      if (failure) {
        runtime.logger.error({ requestId: res.locals.requestId, err: reply.finish?.error ?? failure }, 'stream ended with an error');
        writer.line(toOllamaError(failure, String(res.locals.requestId)).body);
        writer.end();
        return;
      }
    }
    if (job.keepAliveSeconds !== undefined) applyKeepAlive(runtime, dispatched.model, job.keepAliveSeconds);
    if (writer) {
      writer.line(reply.final());
      writer.end();
    } else {
      res.json(reply.final());
    }
  } catch (error) {
    throw tracked.failure(error);
  } finally {
    tracked.end();
  }
}

/** Starts the job's one generation: a chat through the shared dispatch, or a raw completion. */
async function start(runtime: Runtime, routed: string, job: GenerateJob, signal: AbortSignal) {
  if (job.kind === 'chat') {
    const dispatched = await dispatchChat(runtime, routed, job.request, 1, signal);
    return { model: dispatched.model, decision: dispatched.decision, trail: dispatched.trail, stream: dispatched.streams[0]! };
  }
  const dispatched = await dispatchTo(runtime, routed, signal, async (model, target, configured): Promise<AsyncIterable<StreamPart>> => {
    if (!model.complete) throw new UnsupportedFeatureError(`The model '${target}' does not do raw text completions.`, { param: 'raw' });
    const defaults = withGenerationDefaults(job.request.sampling, job.request.maxTokens, configured);
    const request: CompletionRequest = { ...job.request, model: target, sampling: defaults.sampling };
    if (defaults.maxTokens !== undefined) request.maxTokens = defaults.maxTokens;
    return model.complete(request, { signal });
  });
  return { model: dispatched.model, decision: dispatched.decision, trail: dispatched.trail, stream: dispatched.result };
}
