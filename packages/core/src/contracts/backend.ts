import type { LoadedModel } from './loaded-model.js';
import type { MemoryEstimate, ModelFormat, ModelLoadOptions, ModelLocation } from '../types/model.js';

export interface BackendCapabilities {
  /** Model formats this backend loads. */
  formats: readonly ModelFormat[];
  /** Platforms (`process.platform` values) it runs on; empty = all. */
  platforms: readonly NodeJS.Platform[];
}

export interface LoadProgress {
  /** 0..1 */
  fraction: number;
}

export interface BackendLoadOptions extends ModelLoadOptions {
  signal?: AbortSignal;
  onProgress?: (progress: LoadProgress) => void;
}

/**
 * An inference engine. Versioned: hosts accept `specificationVersion: 'v1'` and
 * reject versions they do not know. One Backend instance serves many models.
 */
export interface Backend {
  readonly specificationVersion: 'v1';
  /** Registry id, e.g. `gguf`, `mlx`, `openai-upstream`. */
  readonly id: string;
  readonly capabilities: BackendCapabilities;
  /** Whether this backend can load the model (format, files present). Must not load anything. */
  canLoad(model: ModelLocation): Promise<boolean>;
  /** Memory the model would take with these options, from metadata only. */
  estimateMemory(model: ModelLocation, options: ModelLoadOptions): Promise<MemoryEstimate>;
  load(model: ModelLocation, options: BackendLoadOptions): Promise<LoadedModel>;
  /**
   * Called when the server has been idle for a while, after V8's full collection: give memory that the engine's
   * native side holds free back to the operating system. Optional; must not affect loaded models.
   */
  releaseIdleMemory?(): Promise<void>;
  /** Frees shared engine resources; idempotent. */
  dispose(): Promise<void>;
}
