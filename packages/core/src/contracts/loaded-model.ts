import type { ChatRequest, CompletionRequest } from '../types/request.js';
import type { StreamPart } from '../types/stream-part.js';
import type { MemoryEstimate, ModelCapabilities } from '../types/model.js';

export interface StreamOptions {
  /** Aborting ends the generation: the stream finishes with reason `abort` and frees its slot. */
  signal?: AbortSignal;
}

/** Live numbers a router and the admin API read. */
export interface LoadedModelStats {
  /** Requests generating now. */
  active: number;
  /** Requests waiting for a free slot. */
  queued: number;
  /** Slots (sequences) in total. */
  slots: number;
  /** Sequence states kept beyond the slots, when the backend keeps them: how many, their bytes and the room for them. */
  promptCache?: PromptCacheStats;
}

export interface PromptCacheStats {
  states: number;
  bytes: number;
  maxBytes: number;
}

export interface EmbedResult {
  embeddings: number[][];
  promptTokens: number;
}

/**
 * A model in memory, ready to generate. Obtained from `Backend.load`.
 * `stream()` resolves once the request is admitted (a slot is leased), so admission
 * errors (overloaded, context too long, bad input) reject the promise before any part.
 */
export interface LoadedModel {
  readonly specificationVersion: 'v1';
  /** The configured model id. */
  readonly id: string;
  readonly capabilities: ModelCapabilities;
  /** The memory this model holds now (bytes). */
  readonly memory: MemoryEstimate;
  stats(): LoadedModelStats;
  /** Chat generation. The iterable ends with exactly one `finish` part. */
  stream(request: ChatRequest, options?: StreamOptions): Promise<AsyncIterable<StreamPart>>;
  /** Raw text completion (no chat template). */
  complete?(request: CompletionRequest, options?: StreamOptions): Promise<AsyncIterable<StreamPart>>;
  embed?(input: string[] | number[][], options?: StreamOptions): Promise<EmbedResult>;
  tokenize?(text: string): Promise<number[]>;
  /** Tokens the request's prompt takes once the chat template is applied (what `usage.promptTokens` would say). */
  countPromptTokens?(request: ChatRequest): Promise<number>;
  /** Frees the model; waits for nothing; idempotent. In-flight generations end with `abort`. */
  unload(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}
