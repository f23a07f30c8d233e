import { createRequire } from 'node:module';
import { definePlugin } from '@llmux/core';
import { EchoBackend } from './echo-backend.js';
import { echoPluginOptions } from './echo-options.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

/** The plugin: importing it does nothing; llmux calls `register` at start-up. */
export default definePlugin({
  name: 'llmux-plugin-example',
  version,
  llmux: '^1.0.0',
  options: echoPluginOptions,
  register(ctx) {
    ctx.registerBackend(new EchoBackend(ctx.options, ctx.logger));
  },
});

export { EchoBackend } from './echo-backend.js';
export { EchoModel } from './echo-model.js';
export { echoPluginOptions, echoModelOptions, type EchoPluginOptions, type EchoModelOptions } from './echo-options.js';
