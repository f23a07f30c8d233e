import { bundledModelsConfig } from '@llmux/server';
import { MODELS_DIR, startTestServer, type TestServer } from './test-server.js';

/**
 * The bundled models with brown's context raised to 1024 tokens: tool definitions are rendered
 * into the prompt and outgrow its trained 256. Its text is nonsense either way; these tests
 * check shapes and constraints, not meaning.
 */
export function startBrownServer(): Promise<TestServer> {
  const models = bundledModelsConfig(MODELS_DIR);
  return startTestServer({
    models: { ...models, 'brown-llama-1m': { ...models['brown-llama-1m']!, contextSize: 1024 } },
    modelDefaults: { parallel: 2, maxQueue: 8 },
  });
}
