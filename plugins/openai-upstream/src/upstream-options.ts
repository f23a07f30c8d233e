import { z } from '@llmux/core';

/** The plugin's options (`plugins: [{ name: openai-upstream, options: {...} }]`): defaults for every upstream model. */
export const upstreamPluginOptions = z.strictObject({
  /** Seconds to wait for an upstream to start answering a request, and between two chunks of a stream. */
  timeout: z.number().positive().default(600),
  /** Seconds a health check may take. */
  healthTimeout: z.number().positive().default(5),
});

/**
 * A model's options (`models.<id>.options`). The model's `source` is the upstream's base URL
 * (e.g. `http://127.0.0.1:8080/v1`).
 */
export const upstreamModelOptions = z.strictObject({
  /** The model name the upstream knows; default: the llmux model id. */
  model: z.string().min(1).optional(),
  /** The upstream's API key. Prefer `apiKeyEnv`, which keeps the key out of the config file. */
  apiKey: z.string().min(1).optional(),
  /** The environment variable that holds the upstream's API key. */
  apiKeyEnv: z.string().min(1).optional(),
  /** Seconds to wait for the upstream to start answering, and between two chunks; default: the plugin's `timeout`. */
  timeout: z.number().positive().optional(),
  /** Extra HTTP headers sent with every request. */
  headers: z.record(z.string(), z.string()).optional(),
  /** The upstream model's context length in tokens (the upstream enforces it; llmux reports it). */
  contextLength: z.int().min(16).default(4096),
  /** Whether the upstream model takes images; without it, image parts are refused before sending. */
  vision: z.boolean().default(false),
});

export type UpstreamPluginOptions = z.output<typeof upstreamPluginOptions>;
export type UpstreamModelOptions = z.output<typeof upstreamModelOptions>;
