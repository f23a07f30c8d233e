
import { describe, expect, it } from 'vitest';
import {
  ConfigModelStore,
  InsufficientMemoryError,
  ModelLoadError,
  ModelManager,
  Registry,
  parseConfig,
  silentLogger,
  type Backend,
  type LlmuxConfigInput,
  type ModelStateEvent,
} from '@llmux/core';
import { GgufBackend } from '@llmux/backend-gguf';
import { MODELS_DIR } from './helpers/test-server.js';

const Q8 = `${MODELS_DIR}/brown-llama-1m-Q8_0.gguf`;
const F16 = `${MODELS_DIR}/brown-llama-1m-F16.gguf`;
const STORIES = `${MODELS_DIR}/stories260K.gguf`;

function createManager(input: LlmuxConfigInput) {
  const config = parseConfig(input);
  const backends = new Registry<Backend>('backend');
  backends.register(new GgufBackend());
  const manager = new ModelManager({ config, backends, store: new ConfigModelStore(config.models), logger: silentLogger() });
  const events: ModelStateEvent[] = [];
  manager.on('state', (event) => events.push(event));
  return { manager, events };
}

function waitForState(manager: ModelManager, id: string, state: string, timeoutMs: number): Promise<ModelStateEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${id} did not become ${state} within ${timeoutMs} ms`)), timeoutMs);
    const onState = (event: ModelStateEvent) => {
      if (event.model !== id || event.state !== state) return;
      clearTimeout(timer);
      manager.off('state', onState);
      resolve(event);
    };
    manager.on('state', onState);
  });
}

// The brown GGUFs are estimated at ~17.5 MB (Q8_0) and ~18.6 MB (F16) with 4 sequences of 256 tokens:
// a 40 MB cap holds two of them, never three.
const smallCap = {
  memory: { maxFraction: 0.9, maxBytes: '40MB' },
  models: {
    pinned: { source: Q8, pin: true },
    second: { source: F16 },
    third: { source: Q8 },
    fourth: { source: Q8 },
    stories: { source: STORIES },
  },
} satisfies LlmuxConfigInput;

describe('ModelManager lifecycle on real loads', () => {
  it('evicts the least recently used idle model under the cap and never the pinned one', async () => {
    const { manager, events } = createManager(smallCap);
    try {
      await manager.acquire('pinned');
      await manager.acquire('second');
      expect(manager.memory().usedBytes).toBeLessThanOrEqual(manager.memory().capBytes);
      await manager.acquire('third');
      expect(manager.state('pinned')).toBe('loaded');
      expect(manager.state('second')).toBe('available');
      expect(manager.state('third')).toBe('loaded');
      expect(events).toContainEqual({ model: 'second', state: 'available', reason: 'lru' });
      // 'pinned' is now the least recently used, but pinned: 'third' goes instead.
      await manager.acquire('fourth');
      expect(manager.state('pinned')).toBe('loaded');
      expect(manager.state('third')).toBe('available');
      expect(manager.memory().usedBytes).toBeLessThanOrEqual(40 * 1024 * 1024);
    } finally {
      await manager.shutdown();
    }
  });

  it('refuses a load that cannot fit even after evicting, with the numbers, and evicts nothing', async () => {
    const { manager } = createManager(smallCap);
    try {
      await manager.acquire('pinned');
      await manager.acquire('second');
      const error = await manager.acquire('stories').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InsufficientMemoryError);
      const message = (error as Error).message;
      expect(message).toMatch(/needs about \d+\.\d MB, the cap is 40\.0 MB \(memory\.maxBytes\)/);
      expect(message).toMatch(/could be freed by evicting idle models \(second\)/);
      expect((error as InsufficientMemoryError).details).toMatchObject({ capBytes: 40 * 1024 * 1024 });
      expect(manager.state('second')).toBe('loaded');
      expect(manager.state('stories')).toBe('available');
    } finally {
      await manager.shutdown();
    }
  });

  it('never evicts a model that is generating; an idle one goes instead', async () => {
    const { manager } = createManager({ ...smallCap, models: { ...smallCap.models, second: { source: STORIES, contextSize: 512, parallel: 1, threads: 1 } } });
    try {
      // 'stories' at 512 tokens x 1 sequence is small enough to share the cap with one brown model.
      const busy = await manager.acquire('second');
      await manager.acquire('third');
      const controller = new AbortController();
      const stream = await busy.stream(
        { model: 'second', messages: [{ role: 'user', content: 'Once upon a time' }], sampling: { temperature: 0 }, maxTokens: 1500 },
        { signal: controller.signal },
      );
      await manager.acquire('fourth');
      expect(manager.state('second')).toBe('loaded');
      expect(manager.state('third')).toBe('available');
      controller.abort();
      for await (const part of stream) if (part.type === 'finish') expect(part.reason).toBe('abort');
    } finally {
      await manager.shutdown();
    }
  });

  it('unloads an idle model after its TTL, but not while a request runs on it, and never a pinned one', async () => {
    const { manager } = createManager({
      models: { stories: { source: STORIES, ttl: '100ms', contextSize: 2048, parallel: 1, threads: 1 }, keeper: { source: Q8, ttl: '100ms', pin: true } },
    });
    try {
      await manager.acquire('keeper');
      const model = await manager.acquire('stories');
      const started = Date.now();
      const stream = await model.stream({ model: 'stories', messages: [{ role: 'user', content: 'Once upon a time' }], sampling: { temperature: 0 }, maxTokens: 2000 });
      for await (const part of stream) {
        expect(manager.state('stories')).toBe('loaded');
        if (part.type === 'finish') expect(part.reason).toBe('length');
      }
      // The generation outlived the TTL several times over, so the TTL check really ran during it.
      expect(Date.now() - started).toBeGreaterThan(300);
      const snapshot = manager.snapshot().find((m) => m.id === 'stories')!;
      expect(snapshot.ttlSeconds).toBe(0.1);
      const unloaded = await waitForState(manager, 'stories', 'available', 2000);
      expect(unloaded.reason).toBe('ttl');
      expect(manager.state('keeper')).toBe('loaded');
      // The next request loads it again.
      await manager.acquire('stories');
      expect(manager.state('stories')).toBe('loaded');
    } finally {
      await manager.shutdown();
    }
  });

  it('pins and unpins at run time: a pinned model outlives its TTL, an unpinned one is unloaded after it', async () => {
    const { manager } = createManager({ models: { brown: { source: Q8, ttl: '150ms' } } });
    try {
      await manager.load('brown');
      expect(manager.setPinned('brown', true)).toBe('brown');
      expect(manager.snapshot()[0]).toMatchObject({ pinned: true });
      expect(manager.snapshot()[0]!.expiresAt).toBeUndefined();
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(manager.state('brown')).toBe('loaded');
      const unpinnedAt = Date.now();
      manager.setPinned('brown', false);
      expect(manager.snapshot()[0]).toMatchObject({ pinned: false });
      const unloaded = await waitForState(manager, 'brown', 'available', 2000);
      expect(unloaded.reason).toBe('ttl');
      expect(Date.now() - unpinnedAt).toBeGreaterThanOrEqual(140);
      expect(() => manager.setPinned('nope', true)).toThrow(/nope/);
    } finally {
      await manager.shutdown();
    }
  });

  it('coalesces concurrent loads of one model and unloads on request', async () => {
    const { manager, events } = createManager({ models: { brown: { source: Q8 } } });
    try {
      const loads = await Promise.all([manager.load('brown'), manager.acquire('brown'), manager.load('brown')]);
      expect(new Set(loads).size).toBe(1);
      expect(events.filter((e) => e.state === 'loading')).toHaveLength(1);
      await manager.unload('brown');
      expect(events.at(-1)).toEqual({ model: 'brown', state: 'available', reason: 'request' });
      expect(manager.memory().usedBytes).toBe(0);
    } finally {
      await manager.shutdown();
    }
  });

  it('keeps a failed load in cooldown with its reason, and an explicit load retries', async () => {
    const { manager, events } = createManager({ modelDefaults: { loadCooldown: '30s' }, models: { broken: { source: `${MODELS_DIR}/SHA256SUMS` } } });
    try {
      await expect(manager.acquire('broken')).rejects.toThrow(/not a GGUF file/);
      const again = await manager.acquire('broken').catch((e: unknown) => e);
      expect(again).toBeInstanceOf(ModelLoadError);
      expect((again as Error).message).toMatch(/not a GGUF file.*next one is allowed in (29|30)s/);
      expect((again as ModelLoadError).retryAfterSeconds).toBeGreaterThan(25);
      expect(events.filter((e) => e.state === 'loading')).toHaveLength(1);
      expect(manager.snapshot()[0]!.lastError).toMatch(/not a GGUF file/);
      await expect(manager.load('broken')).rejects.toThrow(/not a GGUF file/);
      expect(events.filter((e) => e.state === 'loading')).toHaveLength(2);
    } finally {
      await manager.shutdown();
    }
  });
});

