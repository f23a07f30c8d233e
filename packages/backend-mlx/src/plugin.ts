import { createRequire } from 'node:module';
import { definePlugin, z } from '@llmux/core';
import { MlxBackend } from './mlx-backend.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

/** Options of the MLX backend as a plugin (`plugins: [{ name: '@llmux/backend-mlx', options: {...} }]`). */
const mlxPluginOptions = z.strictObject({
  /** Context length when neither config nor request sets one: min(trained context, this). */
  maxDefaultContextSize: z.int().min(16).optional(),
});

/** The MLX backend, registered like any third-party backend. llmux loads it as a built-in plugin. */
export const mlxPlugin = definePlugin({
  name: '@llmux/backend-mlx',
  version,
  llmux: '^1.0.0',
  options: mlxPluginOptions,
  register(ctx) {
    ctx.registerBackend(new MlxBackend({ logger: ctx.logger, ...ctx.options }));
  },
});
