import { createRequire } from 'node:module';
import { definePlugin, z } from '@llmux/core';
import { GgufBackend } from './gguf-backend.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

/** Options of the GGUF backend as a plugin (`plugins: [{ name: '@llmux/backend-gguf', options: {...} }]`). */
const ggufPluginOptions = z.strictObject({
  /** GPU use when a model's config says nothing; default `false` (CPU). */
  gpu: z.union([z.enum(['auto', 'cuda', 'vulkan', 'metal']), z.literal(false)]).optional(),
  /** Context length when neither config nor request sets one: min(trained context, this). */
  maxDefaultContextSize: z.int().min(16).optional(),
});

/** The GGUF backend, registered like any third-party backend. llmux loads it as a built-in plugin. */
export const ggufPlugin = definePlugin({
  name: '@llmux/backend-gguf',
  version,
  llmux: '^1.0.0',
  options: ggufPluginOptions,
  register(ctx) {
    ctx.registerBackend(new GgufBackend({ logger: ctx.logger, ...ctx.options }));
  },
});
