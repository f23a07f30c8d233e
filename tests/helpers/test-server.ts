import path from 'node:path';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { parseConfig, silentLogger, type LlmuxConfigInput, type Logger } from '@llmux/core';
import { bundledModelsConfig, startServer, type RunningServer } from '@llmux/server';

export const MODELS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../models');

export interface TestServer extends RunningServer {
  client: OpenAI;
}

/** A real llmux server on a free loopback port, serving the bundled models unless the config says otherwise. */
export async function startTestServer(input: LlmuxConfigInput = {}, logger: Logger = silentLogger()): Promise<TestServer> {
  const config = parseConfig({
    ...input,
    server: { host: '127.0.0.1', port: 0, ...input.server },
    models: input.models ?? bundledModelsConfig(MODELS_DIR),
  });
  const running = await startServer(config, logger);
  const client = new OpenAI({ baseURL: `${running.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  return Object.assign(running, { client });
}
