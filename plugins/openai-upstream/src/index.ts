import { createRequire } from 'node:module';
import { definePlugin } from '@llmux/core';
import { OpenAIUpstreamBackend } from './upstream-backend.js';
import { upstreamPluginOptions } from './upstream-options.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

/** Registers the `openai-upstream` backend. Turn it on with `plugins: [openai-upstream]`. */
export default definePlugin({
  name: 'llmux-plugin-openai-upstream',
  version,
  llmux: '^1.0.0',
  options: upstreamPluginOptions,
  register(ctx) {
    ctx.registerBackend(new OpenAIUpstreamBackend(ctx.options, ctx.logger));
  },
});

export { OpenAIUpstreamBackend, type UpstreamHealth } from './upstream-backend.js';
export { UpstreamModel } from './upstream-model.js';
export { fromUpstreamError } from './upstream-errors.js';
export { upstreamPluginOptions, upstreamModelOptions, type UpstreamPluginOptions, type UpstreamModelOptions } from './upstream-options.js';
