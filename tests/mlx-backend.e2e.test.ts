import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ modelDefaults: { parallel: 2, maxQueue: 2 } });
});
afterAll(async () => {
  await server?.stop();
});

describe('the bundled MLX folder through the server and the openai client', () => {
  it('lists it and answers a chat completion, as the GGUF copy of the same weights does', async () => {
    const models = await server.client.models.list();
    expect(models.data.map((model) => model.id)).toContain('brown-llama-1m-mlx');
    const ask = (model: string) =>
      server.client.chat.completions.create({ model, messages: [{ role: 'user', content: 'The jury said' }], temperature: 0, max_tokens: 12 });
    const mlx = await ask('brown-mlx');
    expect(mlx.model).toBe('brown-llama-1m-mlx');
    expect(mlx.choices[0]!.message.content!.length).toBeGreaterThan(0);
    // The same ChatML text, except that node-llama-cpp's ChatML wrapper starts with BOS
    // (<|endoftext|>) and the folder's own template, as mlx-lm renders it, does not.
    const gguf = await ask('brown');
    expect(mlx.usage!.prompt_tokens).toBe(gguf.usage!.prompt_tokens - 1);
    expect(mlx.usage!.completion_tokens).toBe(12);
  });

  it('streams with usage and a stop string', async () => {
    const stream = await server.client.chat.completions.create({
      model: 'brown-mlx',
      messages: [{ role: 'user', content: 'The jury said' }],
      temperature: 0,
      max_tokens: 40,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let finish: string | null = null;
    let completionTokens = 0;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) completionTokens = chunk.usage.completion_tokens;
    }
    expect(text.length).toBeGreaterThan(0);
    expect(finish).not.toBeNull();
    expect(completionTokens).toBeGreaterThan(0);
    const word = text.trim().split(/\s+/)[1]!;
    const stopped = await server.client.chat.completions.create({
      model: 'brown-mlx',
      messages: [{ role: 'user', content: 'The jury said' }],
      temperature: 0,
      max_tokens: 40,
      stop: [word],
    });
    expect(stopped.choices[0]!.finish_reason).toBe('stop');
    expect(stopped.choices[0]!.message.content).toBe(text.slice(0, text.indexOf(word)));
  });
});
