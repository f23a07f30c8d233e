import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PluginLoadError, parseConfig, silentLogger } from '@llmux/core';
import { bundledModelsConfig, createRuntime } from '@llmux/server';
import { MODELS_DIR } from './helpers/test-server.js';

// Plugins as local files: plain objects of the plugin shape, so they need no package of their own.
const routerPlugin = `export default {
  name: 'first-model-router',
  version: '0.0.1',
  llmux: '^1.0.0',
  register(ctx) {
    ctx.registerRouter({
      specificationVersion: 'v1',
      id: 'first-model',
      route: (_request, candidates) => ({ targets: [candidates[0].id], strategy: 'first-model', reason: 'always the first model' }),
    });
  },
};
`;
const ggufImpostor = `export default {
  name: 'gguf-impostor',
  version: '0.0.1',
  llmux: '^1.0.0',
  register(ctx) {
    ctx.registerBackend({ specificationVersion: 'v1', id: 'gguf', capabilities: { formats: ['gguf'], platforms: [] } });
  },
};
`;

describe('the server runtime with plugins', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'llmux-runtime-plugins-'));
    await writeFile(path.join(dir, 'router-plugin.mjs'), routerPlugin);
    await writeFile(path.join(dir, 'impostor.mjs'), ggufImpostor);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads the built-in plugins (GGUF and MLX backends, routing strategies) first, then configured ones, and routes with a plugin strategy', async () => {
    const config = parseConfig({ models: bundledModelsConfig(MODELS_DIR), plugins: ['./router-plugin.mjs'], router: { strategy: 'first-model' } });
    const runtime = await createRuntime(config, silentLogger(), { cwd: dir });
    try {
      expect(runtime.plugins.map((plugin) => [plugin.name, plugin.source === 'builtin'])).toEqual([
        ['@llmux/backend-gguf', true],
        ['@llmux/backend-mlx', true],
        ['@llmux/router', true],
        ['first-model-router', false],
      ]);
      expect(runtime.plugins[0]!.backends).toEqual(['gguf']);
      expect(runtime.plugins[1]!.backends).toEqual(['mlx']);
      expect(runtime.plugins[2]!.routers).toEqual(['direct', 'task', 'least-loaded', 'round-robin', 'weighted', 'fallback', 'cascade']);
      expect(runtime.router.id).toBe('first-model');
      expect(runtime.router.route({ requestedModel: 'brown' }, runtime.manager.candidates(), runtime.manager.routerState()).targets).toEqual([
        'stories260K',
      ]);
    } finally {
      await runtime.close();
    }
  });

  it('refuses a plugin that claims the id of a built-in backend, naming both', async () => {
    const config = parseConfig({ models: bundledModelsConfig(MODELS_DIR), plugins: ['./impostor.mjs'] });
    const error = await createRuntime(config, silentLogger(), { cwd: dir }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PluginLoadError);
    expect((error as PluginLoadError).message).toContain(
      "The plugin 'gguf-impostor' registers a backend 'gguf', but the plugin '@llmux/backend-gguf' already registered one",
    );
  });
});
