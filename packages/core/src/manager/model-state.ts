import type { PromptCacheStats } from '../contracts/loaded-model.js';
/** A model's place in its lifecycle. */
export type ModelState = 'available' | 'loading' | 'loaded' | 'unloading';

/** Why a model left memory. */
export type UnloadReason = 'request' | 'ttl' | 'lru' | 'shutdown';

/** Published by the ModelManager on every state change (admin events, metrics). */
export interface ModelStateEvent {
  model: string;
  state: ModelState;
  /** Set on a failed load. */
  error?: string;
  /** The failed load's error code (e.g. `insufficient_memory`). */
  code?: string;
  /** Load duration, on `loaded`. */
  durationMs?: number;
  /** On `unloading` / `available` after an unload: why it left memory. */
  reason?: UnloadReason;
}

/** How far a load has come, from the backend's own progress reports. */
export interface ModelLoadProgressEvent {
  model: string;
  /** 0..1 */
  fraction: number;
}

/** One model as the admin surface shows it. */
export interface ModelSnapshot {
  id: string;
  aliases: readonly string[];
  state: ModelState;
  /** Whether the model is named in config (otherwise it comes from the store). */
  configured: boolean;
  pinned: boolean;
  /** While loading: the fraction loaded (0..1) when the backend reports it. */
  loadProgress?: number;
  /** Idle seconds before unloading; 0 = never. */
  ttlSeconds: number;
  /** When an idle loaded model will be unloaded (ms since epoch); absent when never or busy. */
  expiresAt?: number;
  /** Last time a request used the model (ms since epoch). */
  lastUsedAt?: number;
  /** Memory counted against the cap while loaded or loading (bytes). */
  memoryBytes: number;
  /** Requests generating / waiting now. */
  active: number;
  queued: number;
  /** Sequence states the loaded model keeps beyond its sequences (backends that keep them). */
  promptCache?: PromptCacheStats;
  /** The last load failure while it is in cooldown. */
  lastError?: string;
  cooldownUntil?: number;
}

/** Memory as admission sees it. */
export interface MemorySnapshot {
  /** Physical memory of the machine (bytes). */
  totalBytes: number;
  /** What models may take: `maxFraction` of total, or `maxBytes` when lower. */
  capBytes: number;
  /** Held by loaded models and reserved by loads in progress. */
  usedBytes: number;
  maxFraction: number;
  models: { id: string; state: ModelState; bytes: number }[];
}
