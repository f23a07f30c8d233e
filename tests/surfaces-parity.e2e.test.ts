import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Anthropic from '@anthropic-ai/sdk';
import { Ollama } from 'ollama';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let server: TestServer;
let anthropic: Anthropic;
let ollama: Ollama;

beforeAll(async () => {
  server = await startTestServer();
  anthropic = new Anthropic({ baseURL: server.url, apiKey: 'unused', maxRetries: 0 });
  ollama = new Ollama({ host: server.url });
});
afterAll(async () => {
  await server?.stop();
});

/** The same greedy request through every surface; each answer's text. */
async function throughEverySurface(model: string, system: string | undefined, prompt: string, tokens: number) {
  const chat = await server.client.chat.completions.create({
    model,
    messages: [...(system ? [{ role: 'system' as const, content: system }] : []), { role: 'user' as const, content: prompt }],
    temperature: 0,
    max_tokens: tokens,
  });
  const message = await anthropic.messages.create({
    model,
    ...(system ? { system } : {}),
    messages: [{ role: 'user', content: prompt }],
    temperature: 0,
    max_tokens: tokens,
  });
  const response = await server.client.responses.create({ model, ...(system ? { instructions: system } : {}), input: prompt, temperature: 0, max_output_tokens: tokens });
  const ollamaChat = await ollama.chat({
    model: `${model}:latest`,
    messages: [...(system ? [{ role: 'system', content: system }] : []), { role: 'user', content: prompt }],
    stream: false,
    options: { temperature: 0, num_predict: tokens },
  });
  const ollamaGenerate = await ollama.generate({ model, ...(system ? { system } : {}), prompt, stream: false, options: { temperature: 0, num_predict: tokens } });
  return {
    chatCompletions: chat.choices[0]!.message.content,
    anthropic: message.content.map((block) => (block.type === 'text' ? block.text : '')).join(''),
    responses: response.output_text,
    ollamaChat: ollamaChat.message.content,
    ollamaGenerate: ollamaGenerate.response,
  };
}

describe('one model, every API surface', () => {
  it('gives the same greedy text for the same prompt on stories (no chat template)', async () => {
    const texts = await throughEverySurface('stories', undefined, 'Once upon a time', 20);
    expect(texts.chatCompletions!.length).toBeGreaterThan(20);
    expect(new Set(Object.values(texts))).toEqual(new Set([texts.chatCompletions]));
  });

  it('gives the same greedy text with a system prompt on brown (ChatML)', async () => {
    const texts = await throughEverySurface('brown', 'You are terse.', 'The jury said', 16);
    expect(texts.chatCompletions!.length).toBeGreaterThan(10);
    expect(new Set(Object.values(texts))).toEqual(new Set([texts.chatCompletions]));
  });

  it.each([
    ['/v1/messages', { model: 'stories', max_tokens: 1500, stream: true, messages: [{ role: 'user', content: 'Once upon a time' }] }],
    ['/v1/responses', { model: 'stories', max_output_tokens: 1500, stream: true, input: 'Once upon a time' }],
    ['/api/chat', { model: 'stories', options: { num_predict: 1500 }, messages: [{ role: 'user', content: 'Once upon a time' }] }],
    ['/api/generate', { model: 'stories', options: { num_predict: 1500 }, prompt: 'Once upon a time' }],
  ])('%s: a client that disconnects mid-stream frees its sequence', async (path, body) => {
    const controller = new AbortController();
    const response = await fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: controller.signal,
    });
    const model = server.runtime.manager.peek('stories260K')!;
    const reader = response.body!.getReader();
    let chunks = 0;
    while (chunks < 3 && !(await reader.read()).done) chunks++;
    expect(model.stats().active).toBe(1);
    controller.abort();
    await expect.poll(() => model.stats().active, { timeout: 5000 }).toBe(0);
  });
});
