import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODELS_DIR, startTestServer, type TestServer } from './helpers/test-server.js';

// Task routing by nearest example utterance, with a bundled model as the embedding model. Its
// embeddings carry little meaning, so the examples are odd phrases: a request that repeats one
// must match it (similarity 1), while the keyword rules alone would call it chat.
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({
    models: {
      stories: { source: path.join(MODELS_DIR, 'stories260K.gguf') },
      brown: { source: path.join(MODELS_DIR, 'brown-llama-1m-Q8_0.gguf') },
    },
    router: {
      virtual: {
        auto: {
          strategy: 'task',
          targets: [
            { model: 'brown', task: 'code' },
            { model: 'stories', task: 'default' },
          ],
          options: {
            embeddingModel: 'stories',
            minSimilarity: 0.99,
            examples: { code: ['zebra lighthouse marmalade'], chat: ['the little dog ran home'] },
          },
        },
      },
    },
  });
});
afterAll(async () => {
  await server?.stop();
});

async function route(content: string) {
  const { response } = await server.client.chat.completions
    .create({ model: 'auto', messages: [{ role: 'user', content }], temperature: 0, max_tokens: 4 })
    .withResponse();
  return { model: response.headers.get('x-llmux-model'), reason: response.headers.get('x-llmux-route-reason') ?? '' };
}

describe('task routing with an embedding model', () => {
  it('routes by the nearest example when it is close enough', async () => {
    const routed = await route('zebra lighthouse marmalade');
    expect(routed.model).toBe('brown');
    expect(routed.reason).toMatch(/task 'code' \(nearest example "zebra lighthouse marmalade" 1\.00\)/);
  });

  it('falls back to the keyword rules when no example is close enough', async () => {
    const routed = await route('Write a Python function that sorts a list');
    expect(routed.model).toBe('brown');
    expect(routed.reason).toContain('language name');
    const chat = await route('Once upon a time');
    expect(chat.model).toBe('stories');
    expect(chat.reason).not.toContain('nearest example');
  });

  it('never lets a request feature be overridden by an example', async () => {
    const { response } = await server.client.chat.completions
      .create({
        model: 'auto',
        messages: [{ role: 'user', content: 'the little dog ran home' }],
        response_format: { type: 'json_object' },
        max_tokens: 4,
      })
      .withResponse();
    expect(response.headers.get('x-llmux-route-reason')).toContain("task 'structured-output'");
  });
});
