/**
 * File formats llmux knows how to load. `custom`: a source only the backend named in the model's
 * config understands (a plugin's own kind of model).
 */
export type ModelFormat = 'gguf' | 'mlx' | 'remote' | 'custom';

/** Where a model's files are, as a store resolved them. */
export interface ModelLocation {
  /** The configured id of the model (the name clients use). */
  id: string;
  format: ModelFormat;
  /** Absolute path of the GGUF file or the MLX folder; a URL for `remote`. */
  path: string;
  /** The id of the backend that should load it, when config names one. */
  backend?: string;
}

/** Per-model load options, from config. */
export interface ModelLoadOptions {
  /** Context length per sequence, in tokens; absent = the model's trained context, capped by the backend. */
  contextSize?: number;
  /** Concurrent sequences (requests generating at once). */
  parallel: number;
  /** Requests allowed to wait for a free sequence; beyond that, `overloaded`. */
  maxQueue: number;
  /** CPU threads for generation; absent = the backend chooses. */
  threads?: number;
  /** Prompt-processing batch size. */
  batchSize?: number;
  flashAttention?: boolean;
  /** KV-cache element type. */
  kvCache?: 'f16' | 'q8_0' | 'q4_0';
  /** Bytes of sequence states kept beyond the sequences, so that returning conversations reuse their prefix; 0 = off; absent = the backend's default. */
  promptCache?: number;
  /** GPU use: `auto`, `false`, or a named API. */
  gpu?: 'auto' | 'cuda' | 'vulkan' | 'metal' | false;
  /** Backend-specific options, validated by the backend. */
  backendOptions?: Record<string, unknown>;
}

/** What a loaded model can do. */
export interface ModelCapabilities {
  chat: boolean;
  completion: boolean;
  embeddings: boolean;
  tools: boolean;
  jsonSchema: boolean;
  logprobs: boolean;
  vision: boolean;
  /** Context length per sequence, in tokens. */
  contextLength: number;
}

/** A memory estimate, in bytes. */
export interface MemoryEstimate {
  cpuBytes: number;
  gpuBytes: number;
}
