import { z } from '@llmux/core';

/** The plugin's options (`plugins: [{ name: example, options: {...} }]`): defaults for every echo model. */
export const echoPluginOptions = z.strictObject({
  /** Milliseconds between tokens, to make streaming visible. */
  tokenDelayMs: z.int().min(0).max(10_000).default(0),
});

/** A model's own options (`models.<id>.options`), over the plugin's. */
export const echoModelOptions = z.strictObject({
  tokenDelayMs: z.int().min(0).max(10_000).optional(),
  /** Context length in tokens (words). */
  contextLength: z.int().min(8).default(1024),
});

export type EchoPluginOptions = z.output<typeof echoPluginOptions>;
export type EchoModelOptions = z.output<typeof echoModelOptions>;
