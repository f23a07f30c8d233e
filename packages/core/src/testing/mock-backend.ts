import type { Backend, BackendLoadOptions } from '../contracts/backend.js';
import type { LoadedModel, LoadedModelStats, StreamOptions } from '../contracts/loaded-model.js';
import { BackendUnavailableError, ContextLengthExceededError, GenerationError, ModelLoadError, UnsupportedFeatureError } from '../errors/llmux-error.js';
import { messageText } from '../types/message.js';
import type { MemoryEstimate, ModelCapabilities, ModelFormat, ModelLoadOptions, ModelLocation } from '../types/model.js';
import type { ChatRequest } from '../types/request.js';
import type { FinishPart, StreamPart } from '../types/stream-part.js';
import { AsyncChannel } from '../util/async-channel.js';
import { SlotPool } from '../util/slot-pool.js';

/** Words the mock model cycles through; one word is one token. */
const VOCABULARY = 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua'.split(' ');

export interface MockBackendOptions {
  /** Registry id; default `mock`. */
  id?: string;
  /** Formats it claims; default all. */
  formats?: readonly ModelFormat[];
  /** Context length in tokens (whitespace-separated words); default 256. */
  contextLength?: number;
  /** Delay before each generated token; default 0 (one event-loop turn). */
  tokenDelayMs?: number;
  /** Delay of `load`. */
  loadDelayMs?: number;
  /** `load` rejects with this (wrapped in `ModelLoadError` unless it is one). */
  failLoad?: Error;
  /** Generation ends with `finish { reason: 'error' }` after this many tokens. */
  failAfterTokens?: number;
  /** Generation ends with `finish { reason: 'stop' }` after this many tokens (an end-of-text token). */
  stopAfterTokens?: number;
  /** Accepts image parts instead of rejecting them. */
  vision?: boolean;
  /** What `estimateMemory` answers and a loaded model holds; default 1 MB of CPU memory. */
  memory?: MemoryEstimate;
}

/** One call the mock saw, in order. */
export interface MockBackendCall {
  method: 'canLoad' | 'estimateMemory' | 'load' | 'stream' | 'unload' | 'dispose';
  /** The model id, when the call is about one. */
  model?: string;
  request?: ChatRequest;
  options?: ModelLoadOptions;
}

/**
 * A backend that needs no engine: its "model" continues any prompt with words from a fixed list
 * (deterministic: the first word depends on the prompt's length), one word per token. It honours
 * `parallel`/`maxQueue`, max tokens, stop strings, aborts and the context length, and records
 * every call in `calls`. For testing hosts, routers and plugins; it passes the backend contract kit.
 */
export class MockBackend implements Backend {
  readonly specificationVersion = 'v1' as const;
  readonly id: string;
  readonly capabilities: Backend['capabilities'];
  /** Every call, in order. */
  readonly calls: MockBackendCall[] = [];
  /** Models loaded and not yet unloaded. */
  readonly loaded = new Set<MockLoadedModel>();
  disposed = false;

  constructor(readonly options: MockBackendOptions = {}) {
    this.id = options.id ?? 'mock';
    this.capabilities = { formats: options.formats ?? ['gguf', 'mlx', 'remote', 'custom'], platforms: [] };
  }

  async canLoad(model: ModelLocation): Promise<boolean> {
    this.calls.push({ method: 'canLoad', model: model.id });
    return this.capabilities.formats.includes(model.format);
  }

  async estimateMemory(model: ModelLocation, options: ModelLoadOptions): Promise<MemoryEstimate> {
    this.calls.push({ method: 'estimateMemory', model: model.id, options });
    return this.options.memory ?? { cpuBytes: 1_000_000, gpuBytes: 0 };
  }

  async load(model: ModelLocation, options: BackendLoadOptions): Promise<LoadedModel> {
    this.calls.push({ method: 'load', model: model.id, options });
    if (this.options.loadDelayMs) await delay(this.options.loadDelayMs, options.signal);
    if (this.options.failLoad) {
      throw this.options.failLoad instanceof ModelLoadError
        ? this.options.failLoad
        : new ModelLoadError(`Mock load of '${model.id}' failed: ${this.options.failLoad.message}`, { cause: this.options.failLoad });
    }
    options.onProgress?.({ fraction: 1 });
    const loaded = new MockLoadedModel(this, model.id, options);
    this.loaded.add(loaded);
    return loaded;
  }

  async dispose(): Promise<void> {
    this.calls.push({ method: 'dispose' });
    this.disposed = true;
  }
}

/** A model of the `MockBackend`. */
export class MockLoadedModel implements LoadedModel {
  readonly specificationVersion = 'v1' as const;
  readonly capabilities: ModelCapabilities;
  readonly memory: MemoryEstimate;
  private readonly pool: SlotPool<number>;
  private readonly unloading = new AbortController();
  private readonly running = new Set<Promise<void>>();
  private unloaded: Promise<void> | undefined;

  constructor(
    private readonly backend: MockBackend,
    readonly id: string,
    options: ModelLoadOptions,
  ) {
    const contextLength = options.contextSize ?? backend.options.contextLength ?? 256;
    this.capabilities = {
      chat: true,
      completion: false,
      embeddings: false,
      tools: false,
      jsonSchema: false,
      logprobs: false,
      vision: backend.options.vision ?? false,
      contextLength,
    };
    this.memory = backend.options.memory ?? { cpuBytes: 1_000_000, gpuBytes: 0 };
    this.pool = new SlotPool(
      Array.from({ length: options.parallel }, (_, index) => index),
      options.maxQueue,
      `model '${id}'`,
    );
  }

  stats(): LoadedModelStats {
    return this.pool.stats();
  }

  async stream(request: ChatRequest, options: StreamOptions = {}): Promise<AsyncIterable<StreamPart>> {
    this.backend.calls.push({ method: 'stream', model: this.id, request });
    if (this.unloaded) throw new BackendUnavailableError(`The model '${this.id}' was unloaded.`);
    if (!this.capabilities.vision) {
      request.messages.forEach((message, index) => {
        if (message.role === 'user' && typeof message.content !== 'string' && message.content.some((part) => part.type === 'image')) {
          throw new UnsupportedFeatureError('This model has no vision support: remove the image parts.', { param: `messages[${index}].content` });
        }
      });
    }
    const promptTokens = request.messages.reduce((sum, message) => sum + countWords(messageText(message.content)), 0);
    if (promptTokens >= this.capabilities.contextLength) throw new ContextLengthExceededError(promptTokens, this.capabilities.contextLength);
    const signal = options.signal ? AbortSignal.any([options.signal, this.unloading.signal]) : this.unloading.signal;
    const lease = await this.pool.acquire({ signal });
    const channel = new AsyncChannel<StreamPart>();
    const room = this.capabilities.contextLength - promptTokens;
    const run = this.generate(request, promptTokens, Math.min(request.maxTokens ?? room, room), signal, channel).finally(() => {
      lease.release();
      this.running.delete(run);
    });
    this.running.add(run);
    return channel;
  }

  async unload(): Promise<void> {
    this.backend.calls.push({ method: 'unload', model: this.id });
    this.unloaded ??= (async () => {
      this.pool.close(new BackendUnavailableError(`The model '${this.id}' was unloaded.`));
      this.unloading.abort();
      await Promise.allSettled([...this.running]);
      this.backend.loaded.delete(this);
    })();
    return this.unloaded;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.unload();
  }

  private async generate(request: ChatRequest, promptTokens: number, maxTokens: number, signal: AbortSignal, channel: AsyncChannel<StreamPart>): Promise<void> {
    const { tokenDelayMs = 0, failAfterTokens, stopAfterTokens } = this.backend.options;
    const stops = (request.stop ?? []).filter((stop) => stop.length > 0);
    const holdBack = Math.max(0, ...stops.map((stop) => stop.length - 1));
    let text = '';
    let emitted = 0;
    let completionTokens = 0;
    const finish = (reason: FinishPart['reason'], raw: string, error?: unknown) => {
      const part: FinishPart = { type: 'finish', reason, raw, usage: { promptTokens, cachedPromptTokens: 0, completionTokens } };
      if (error !== undefined) part.error = error;
      channel.push(part);
      channel.end();
    };
    const emit = (end: number) => {
      if (end > emitted) channel.push({ type: 'text-delta', text: text.slice(emitted, end) });
      emitted = Math.max(emitted, end);
    };
    while (completionTokens < maxTokens) {
      await delay(tokenDelayMs).catch(() => undefined);
      if (signal.aborted) return finish('abort', 'abort');
      if (failAfterTokens !== undefined && completionTokens >= failAfterTokens) {
        return finish('error', 'error', new GenerationError(`Mock generation failed on model '${this.id}'.`));
      }
      if (stopAfterTokens !== undefined && completionTokens >= stopAfterTokens) {
        emit(text.length);
        return finish('stop', 'end-of-text');
      }
      text += ` ${VOCABULARY[(promptTokens + completionTokens) % VOCABULARY.length]}`;
      completionTokens += 1;
      const stopAt = firstStop(text, stops);
      if (stopAt !== undefined) {
        emit(stopAt);
        return finish('stop', 'stop-string');
      }
      emit(text.length - holdBack);
    }
    emit(text.length);
    finish('length', 'max-tokens');
  }
}

function countWords(text: string): number {
  return text.split(/\s+/).filter((word) => word.length > 0).length;
}

function firstStop(text: string, stops: readonly string[]): number | undefined {
  let first: number | undefined;
  for (const stop of stops) {
    const index = text.indexOf(stop);
    if (index >= 0 && (first === undefined || index < first)) first = index;
  }
  return first;
}

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const done = () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    };
    const timer = ms > 0 ? setTimeout(done, ms) : undefined;
    if (timer === undefined) setImmediate(done);
    const onAbort = () => {
      if (timer !== undefined) clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
