import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { Ollama } from 'ollama';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ server: { apiKeys: ['sk-surface-1'], maxTokens: 64 } });
});
afterAll(async () => {
  await server?.stop();
});

const message = { model: 'stories', max_tokens: 4, messages: [{ role: 'user' as const, content: 'Once upon a time' }] };

describe('API keys and limits on the other surfaces, each in its own error shape', () => {
  it('Anthropic: the key as x-api-key (what the SDK sends); a wrong one is a 401 authentication_error', async () => {
    const good = new Anthropic({ baseURL: server.url, apiKey: 'sk-surface-1', maxRetries: 0 });
    expect((await good.messages.create(message)).usage.output_tokens).toBe(4);
    const bad = new Anthropic({ baseURL: server.url, apiKey: 'wrong', maxRetries: 0 });
    const error = await bad.messages.create(message).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
    expect((error as InstanceType<typeof Anthropic.AuthenticationError>).error).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
  });

  it('Anthropic: a max_tokens above the server cap is a 400 invalid_request_error', async () => {
    const client = new Anthropic({ baseURL: server.url, apiKey: 'sk-surface-1', maxRetries: 0 });
    const error = await client.messages.create({ ...message, max_tokens: 500 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect((error as InstanceType<typeof Anthropic.BadRequestError>).error).toMatchObject({ error: { type: 'invalid_request_error' } });
  });

  it('Ollama and Responses: lengths above the server cap are 400s naming the field', async () => {
    const ollama = await fetch(`${server.url}/api/generate`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-surface-1' },
      body: JSON.stringify({ model: 'stories', prompt: 'Once', options: { num_predict: 500 } }),
    });
    expect(ollama.status).toBe(400);
    expect(((await ollama.json()) as { error: string }).error).toContain('num_predict');
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'sk-surface-1', maxRetries: 0 });
    const error = await client.responses.create({ model: 'stories', input: 'Once', max_output_tokens: 500 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('max_output_tokens');
  });

  it('Ollama: a bearer key in the client headers; none is a 401 {"error": ...}', async () => {
    const good = new Ollama({ host: server.url, headers: { Authorization: 'Bearer sk-surface-1' } });
    expect((await good.generate({ model: 'stories', prompt: 'Once', stream: false, options: { num_predict: 3 } })).eval_count).toBe(3);
    const response = await fetch(`${server.url}/api/tags`);
    expect(response.status).toBe(401);
    expect(Object.keys((await response.json()) as object)).toEqual(['error']);
  });

  it('Responses: the openai client key as a bearer token; a wrong one is a 401 in the OpenAI shape', async () => {
    const good = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'sk-surface-1', maxRetries: 0 });
    expect((await good.responses.create({ model: 'stories', input: 'Once', max_output_tokens: 3 })).usage?.output_tokens).toBe(3);
    const bad = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'wrong', maxRetries: 0 });
    expect(await bad.responses.create({ model: 'stories', input: 'Once' }).catch((e: unknown) => e)).toBeInstanceOf(OpenAI.AuthenticationError);
  });
});
