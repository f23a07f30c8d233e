import type { SamplingOptions } from '@llmux/core';

/** Messages from the model's owner thread to its engine worker. */
export type ToEngine =
  | { type: 'generate'; id: number; slot: number; prompt: number[]; maxTokens: number; sampling: SamplingOptions; stopTokens: number[] }
  | { type: 'abort'; id: number };

/** Messages from the engine worker. */
export type FromEngine =
  | { type: 'ready'; memoryBytes: number }
  | { type: 'load-failed'; message: string }
  | { type: 'started'; id: number; cachedPromptTokens: number }
  | { type: 'token'; id: number; token: number }
  | { type: 'done'; id: number; reason: 'stop' | 'length' | 'abort'; raw: string; completionTokens: number }
  | { type: 'failed'; id: number; message: string };

/** What the worker is started with (workerData). */
export interface EngineInit {
  folder: string;
  config: Record<string, unknown>;
  slots: number;
}
