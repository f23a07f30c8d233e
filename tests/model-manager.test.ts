import { describe, expect, it } from 'vitest';
import { ConfigModelStore, ModelManager, ModelNotFoundError, Registry, parseConfig, silentLogger, type Backend, type ModelStateEvent } from '@llmux/core';
import { GgufBackend } from '@llmux/backend-gguf';
import { bundledModelsConfig } from '@llmux/server';
import { MODELS_DIR } from './helpers/test-server.js';

function createManager() {
  const config = parseConfig({ models: bundledModelsConfig(MODELS_DIR) });
  const backends = new Registry<Backend>('backend');
  backends.register(new GgufBackend());
  return new ModelManager({ config, backends, store: new ConfigModelStore(config.models), logger: silentLogger() });
}

describe('ModelManager with the real GGUF backend', () => {
  it('loads on first use, shares one load between concurrent first requests, and keeps the model', async () => {
    const manager = createManager();
    const events: ModelStateEvent[] = [];
    manager.on('state', (event) => events.push(event));
    expect(manager.state('stories260K')).toBe('available');
    const [a, b, c] = await Promise.all([manager.acquire('stories260K'), manager.acquire('stories260K'), manager.acquire('stories260K')]);
    expect(a).toBe(b);
    expect(b).toBe(c);
    expect(events.filter((e) => e.state === 'loading')).toHaveLength(1);
    expect(manager.state('stories260K')).toBe('loaded');
    expect(await manager.acquire('stories260K')).toBe(a);
    await manager.shutdown();
    expect(manager.state('stories260K')).toBe('available');
    expect(events.map((e) => e.state)).toEqual(['loading', 'loaded', 'unloading', 'available']);
  });

  it('rejects unknown models and reports a failed load without keeping it', async () => {
    const manager = createManager();
    await expect(manager.acquire('nope')).rejects.toBeInstanceOf(ModelNotFoundError);
    const config = parseConfig({ models: { broken: { source: `${MODELS_DIR}/SHA256SUMS` } } });
    const backends = new Registry<Backend>('backend');
    backends.register(new GgufBackend());
    const failing = new ModelManager({ config, backends, store: new ConfigModelStore(config.models), logger: silentLogger() });
    await expect(failing.acquire('broken')).rejects.toThrow(/not a GGUF file/);
    expect(failing.state('broken')).toBe('available');
  });
});
