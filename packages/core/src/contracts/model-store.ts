import type { ModelFormat, ModelLocation } from '../types/model.js';

/** A model the store knows about, with facts read from its own files. */
export interface ModelInfo {
  id: string;
  format: ModelFormat;
  path: string;
  sizeBytes: number;
  aliases: readonly string[];
  architecture?: string;
  quantization?: string;
  contextLength?: number;
}

export interface PullProgress {
  /** The file being downloaded (repo-relative path). */
  file: string;
  /** Bytes of this file on disk so far (including bytes resumed from an earlier attempt). */
  receivedBytes: number;
  /** This file's size. */
  totalBytes: number;
  /** Bytes of every file of the pull so far. */
  overallReceivedBytes?: number;
  /** Size of every file of the pull. */
  overallTotalBytes?: number;
}

/** Where models live and how to get them. */
export interface ModelStore {
  readonly specificationVersion: 'v1';
  readonly id: string;
  list(): Promise<ModelInfo[]>;
  /** An id, an alias, a hub reference or a local path -> files. Throws `ModelNotFoundError`. */
  resolve(ref: string): Promise<ModelLocation>;
  pull?(ref: string, options?: { signal?: AbortSignal; onProgress?: (progress: PullProgress) => void }): Promise<ModelLocation>;
  remove?(ref: string): Promise<void>;
}
