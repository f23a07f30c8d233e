import type OpenAI from 'openai';
import type { Stream } from 'openai/core/streaming';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import {
  BackendUnavailableError,
  SlotPool,
  UnsupportedFeatureError,
  type ChatRequest,
  type LoadedModel,
  type LoadedModelStats,
  type ModelCapabilities,
  type StreamOptions,
  type StreamPart,
} from '@llmux/core';
import { ChunkMapper } from './from-openai-chunks.js';
import { fromUpstreamError, type UpstreamErrorContext } from './upstream-errors.js';
import { toOpenAIRequest } from './to-openai-request.js';

export interface UpstreamModelSettings {
  id: string;
  client: OpenAI;
  /** The model name the upstream knows. */
  upstreamModel: string;
  baseURL: string;
  contextLength: number;
  vision: boolean;
  timeoutMs: number;
  parallel: number;
  maxQueue: number;
}

/**
 * A model served by an OpenAI-compatible upstream. At most `parallel` requests go upstream at once;
 * more wait in a bounded queue, as with local models. Each request is one streaming upstream call
 * whose chunks become parts as they arrive.
 */
export class UpstreamModel implements LoadedModel {
  readonly specificationVersion = 'v1' as const;
  readonly id: string;
  readonly capabilities: ModelCapabilities;
  /** Remote models take no local memory. */
  readonly memory = { cpuBytes: 0, gpuBytes: 0 };
  private readonly pool: SlotPool<number>;
  private readonly unloading = new AbortController();
  private readonly errorContext: UpstreamErrorContext;
  private unloaded = false;

  constructor(private readonly settings: UpstreamModelSettings) {
    this.id = settings.id;
    this.capabilities = {
      chat: true,
      completion: false,
      embeddings: false,
      tools: true,
      jsonSchema: true,
      logprobs: true,
      vision: settings.vision,
      contextLength: settings.contextLength,
    };
    this.pool = new SlotPool(Array.from({ length: settings.parallel }, (_, slot) => slot), settings.maxQueue, `model '${settings.id}'`);
    this.errorContext = { baseURL: settings.baseURL, model: settings.upstreamModel, contextLength: settings.contextLength };
  }

  stats(): LoadedModelStats {
    return this.pool.stats();
  }

  async stream(request: ChatRequest, options: StreamOptions = {}): Promise<AsyncIterable<StreamPart>> {
    if (this.unloaded) throw new BackendUnavailableError(`The model '${this.id}' was unloaded.`);
    if (!this.capabilities.vision) this.rejectImages(request);
    // A signal per request: the client leaves its listener on the signal it is given.
    const signal = AbortSignal.any(options.signal ? [options.signal, this.unloading.signal] : [this.unloading.signal]);
    const lease = await this.pool.acquire({ signal });
    let upstream: Stream<ChatCompletionChunk>;
    try {
      // Resolves once the upstream answered with headers: its refusals (4xx, 5xx) reject here, before any part.
      upstream = await this.settings.client.chat.completions.create(toOpenAIRequest(request, this.settings.upstreamModel), {
        signal,
        timeout: this.settings.timeoutMs,
        maxRetries: 0,
      });
    } catch (error) {
      lease.release();
      throw fromUpstreamError(error, this.errorContext);
    }
    return this.parts(upstream, signal, () => lease.release());
  }

  async unload(): Promise<void> {
    if (this.unloaded) return;
    this.unloaded = true;
    this.pool.close(new BackendUnavailableError(`The model '${this.id}' was unloaded.`));
    this.unloading.abort();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.unload();
  }

  private async *parts(upstream: Stream<ChatCompletionChunk>, signal: AbortSignal, release: () => void): AsyncGenerator<StreamPart> {
    const mapper = new ChunkMapper();
    const chunks = upstream[Symbol.asyncIterator]();
    let ended = false;
    let stalled = false;
    try {
      try {
        for (;;) {
          // Only the wait for the upstream counts towards the timeout, not the time a slow client takes to read.
          const timer = setTimeout(() => {
            stalled = true;
            upstream.controller.abort();
          }, this.settings.timeoutMs);
          const next = await chunks.next().finally(() => clearTimeout(timer));
          if (next.done) break;
          yield* mapper.map(next.value);
        }
      } catch (error) {
        ended = true;
        if (signal.aborted) return yield* mapper.finish({ reason: 'abort', raw: 'abort' });
        return yield* mapper.finish({ reason: 'error', raw: 'error', error: fromUpstreamError(error, this.errorContext) });
      }
      ended = true;
      // The client ends the iteration quietly when the request is aborted (by our signal or by a stall).
      if (stalled) {
        const error = new BackendUnavailableError(
          `The upstream ${this.settings.baseURL} stopped sending for ${this.settings.timeoutMs / 1000} s in the middle of a stream.`,
        );
        return yield* mapper.finish({ reason: 'error', raw: 'timeout', error });
      }
      yield* signal.aborted ? mapper.finish({ reason: 'abort', raw: 'abort' }) : mapper.finish();
    } finally {
      // A consumer that stops reading early must not leave the upstream generating.
      if (!ended) upstream.controller.abort();
      release();
    }
  }

  private rejectImages(request: ChatRequest): void {
    request.messages.forEach((message, index) => {
      if (message.role === 'user' && typeof message.content !== 'string' && message.content.some((part) => part.type === 'image')) {
        throw new UnsupportedFeatureError(`The model '${this.id}' takes no images (set 'vision: true' in its options if the upstream model does).`, {
          param: `messages[${index}].content`,
        });
      }
    });
  }
}
