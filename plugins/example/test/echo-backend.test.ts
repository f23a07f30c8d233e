import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PluginLoadError } from '@llmux/core';
import { checkPlugin, collectStream, describeBackendContract } from '@llmux/core/testing';
import { EchoBackend } from '../src/index.js';

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const model = { id: 'parrot', format: 'custom' as const, path: 'echo', backend: 'echo' };

describeBackendContract({
  name: 'EchoBackend',
  createBackend: () => new EchoBackend(),
  model,
  loadOptions: { parallel: 2, maxQueue: 2, backendOptions: { contextLength: 256 } },
});

describe('llmux-plugin-example', () => {
  it('loads through the production plugin loader and registers the echo backend', async () => {
    const { plugin, backends } = await checkPlugin(packageRoot, { options: { tokenDelayMs: 1 } });
    expect(plugin).toMatchObject({ name: 'llmux-plugin-example', version: '0.1.0', backends: ['echo'] });
    const loaded = await backends.require('echo').load(model, { parallel: 1, maxQueue: 0 });
    const { text, finish } = await collectStream(
      await loaded.stream({ model: 'parrot', messages: [{ role: 'user', content: 'hello there' }], sampling: {}, maxTokens: 3 }),
    );
    expect(text).toBe(' hello there hello');
    expect(finish?.reason).toBe('length');
    await loaded.unload();
  });

  it('refuses bad options with the key path', async () => {
    const error = await checkPlugin(packageRoot, { options: { tokenDelayMs: -5 } }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PluginLoadError);
    expect((error as PluginLoadError).message).toContain('plugins.llmux-plugin-example.options.tokenDelayMs');
  });
});
