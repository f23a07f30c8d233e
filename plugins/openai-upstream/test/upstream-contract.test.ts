import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { parseConfig, silentLogger } from '@llmux/core';
import { describeBackendContract } from '@llmux/core/testing';
import { startServer, type RunningServer } from '@llmux/server';
import { OpenAIUpstreamBackend } from '../src/index.js';

const MODELS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../models');

// The upstream: a second llmux serving stories260K on a free loopback port.
let upstream: RunningServer;
beforeAll(async () => {
  const config = parseConfig({
    server: { host: '127.0.0.1', port: 0 },
    models: { stories: { source: path.join(MODELS, 'stories260K.gguf'), parallel: 4, maxQueue: 8, threads: 1 } },
  });
  upstream = await startServer(config, silentLogger());
});
afterAll(async () => {
  await upstream?.stop();
});

describeBackendContract({
  name: 'OpenAIUpstreamBackend (a second llmux serving stories260K)',
  createBackend: () => new OpenAIUpstreamBackend(),
  model: () => ({ id: 'remote-stories', format: 'remote', path: `${upstream.url}/v1`, backend: 'openai-upstream' }),
  loadOptions: { parallel: 2, maxQueue: 1, backendOptions: { model: 'stories', contextLength: 2048 } },
  capabilities: { localMemory: false },
});
