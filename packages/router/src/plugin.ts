import { createRequire } from 'node:module';
import { ConfigToken, definePlugin } from '@llmux/core';
import { builtinRouters } from './builtin-routers.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

/**
 * The routing strategies that ship with llmux (direct, task, least-loaded, round-robin, weighted,
 * fallback, cascade), registered like any third-party strategy. llmux loads it as a built-in plugin;
 * `direct` takes its fallback chains from the host's `router.fallbacks`.
 */
export const routerPlugin = definePlugin({
  name: '@llmux/router',
  version,
  llmux: '^1.0.0',
  register(ctx) {
    const config = ctx.container.isRegistered(ConfigToken, true) ? ctx.container.resolve(ConfigToken) : undefined;
    for (const router of builtinRouters({ fallbacks: config?.router.fallbacks ?? {} })) ctx.registerRouter(router);
  },
});
