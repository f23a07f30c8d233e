import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from './load-config.js';
import { ConfigError } from '../errors/llmux-error.js';
import { parseDurationSeconds } from './duration.js';

describe('config', () => {
  it('applies defaults to an empty config', () => {
    const config = parseConfig({});
    expect(config.server).toMatchObject({ host: '127.0.0.1', port: 1234, apiKeys: [] });
    expect(config.memory.maxFraction).toBe(0.9);
    expect(config.modelDefaults).toMatchObject({ parallel: 4, maxQueue: 64 });
    expect(config.router.strategy).toBe('direct');
  });

  it('names the key path of every problem', () => {
    const attempt = () => parseConfig({ server: { port: 'x' }, models: { a: { source: '', parallel: 0 } }, bogus: 1 });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain('server.port');
      expect(message).toContain('models.a.source');
      expect(message).toContain('models.a.parallel');
      expect(message).toContain('bogus');
    }
  });

  it('reads YAML found in the search folder, resolves relative sources, and applies env overrides', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'llmux-config-'));
    await writeFile(
      path.join(dir, 'llmux.config.yaml'),
      'server:\n  port: 4321\nmodels:\n  tiny:\n    source: ./m/tiny.gguf\n    aliases: [t]\n    ttl: 10m\n',
    );
    const { config, filepath } = await loadConfig({ searchFrom: dir, env: { LLMUX_HOST: '0.0.0.0', LLMUX_API_KEY: 'k1' } });
    expect(filepath).toBe(path.join(dir, 'llmux.config.yaml'));
    expect(config.server.port).toBe(4321);
    expect(config.server.host).toBe('0.0.0.0');
    expect(config.server.apiKeys).toEqual(['k1']);
    expect(config.models.tiny!.source).toBe(path.join(dir, 'm/tiny.gguf'));
    expect(config.models.tiny!.ttl).toBe(600);
  });

  it('resolves local plugin paths relative to the config file, and leaves package names alone', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'llmux-config-'));
    await writeFile(path.join(dir, 'llmux.config.yaml'), 'plugins:\n  - ./mine\n  - name: ../shared/theirs.js\n    options: { a: 1 }\n  - example\n');
    const { config } = await loadConfig({ searchFrom: dir, env: {} });
    expect(config.plugins).toEqual([path.join(dir, 'mine'), { name: path.resolve(dir, '../shared/theirs.js'), options: { a: 1 } }, 'example']);
  });

  it('loads an explicit --config file and fails clearly when it is missing', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'llmux-config-'));
    const file = path.join(dir, 'custom.json');
    await writeFile(file, JSON.stringify({ server: { port: 9999 } }));
    expect((await loadConfig({ file, env: {} })).config.server.port).toBe(9999);
    await expect(loadConfig({ file: path.join(dir, 'missing.yaml'), env: {} })).rejects.toThrow(/missing\.yaml/);
  });

  it('gives the server its limits, timeouts and metrics defaults, fresh for every parse', () => {
    const first = parseConfig({});
    expect(first.server).toMatchObject({
      cors: { origins: [], methods: ['GET', 'POST', 'DELETE', 'OPTIONS'], headers: [], maxAge: 600 },
      maxMessages: 1024,
      maxTokens: 0,
      rateLimit: { requestsPerMinute: 0, tokensPerMinute: 0 },
      requestTimeout: 600,
      streamIdleTimeout: 60,
      bodyTimeout: 30,
      metrics: { enabled: true },
    });
    first.server.apiKeys.push('leak');
    expect(parseConfig({}).server.apiKeys).toEqual([]);
    expect(parseConfig({ server: { requestTimeout: '2m', bodyTimeout: '500ms' } }).server).toMatchObject({ requestTimeout: 120, bodyTimeout: 0.5 });
    expect(() => parseConfig({ server: { rateLimit: { requestsPerMinute: -1 } } })).toThrow(/server.rateLimit.requestsPerMinute/);
  });

  it('resolves server.keyFile relative to the config file', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'llmux-config-'));
    await writeFile(path.join(dir, 'llmux.config.json'), JSON.stringify({ server: { keyFile: './secrets/keys' } }));
    const { config } = await loadConfig({ searchFrom: dir, env: {} });
    expect(config.server.keyFile).toBe(path.join(dir, 'secrets/keys'));
  });

  it('reads promptCache as a size, 0 or false', () => {
    const config = parseConfig({ modelDefaults: { promptCache: '256MB' }, models: { a: { source: 'a.gguf', promptCache: false }, b: { source: 'b.gguf', promptCache: 0 } } });
    expect(config.modelDefaults.promptCache).toBe(256 * 1024 * 1024);
    expect(config.models.a!.promptCache).toBe(0);
    expect(config.models.b!.promptCache).toBe(0);
    expect(() => parseConfig({ models: { a: { source: 'a.gguf', promptCache: 'lots' } } })).toThrow(/models.a.promptCache/);
  });

  it('parses durations', () => {
    expect(parseDurationSeconds('90')).toBe(90);
    expect(parseDurationSeconds('10m')).toBe(600);
    expect(parseDurationSeconds('1.5h')).toBe(5400);
    expect(parseDurationSeconds(0)).toBe(0);
    expect(parseDurationSeconds('soon')).toBeUndefined();
  });
});
