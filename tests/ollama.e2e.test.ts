import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ollama } from 'ollama';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { STORY, STORY_CONTINUATION } from './helpers/stories.js';

let server: TestServer;
let ollama: Ollama;

beforeAll(async () => {
  server = await startTestServer();
  ollama = new Ollama({ host: server.url });
});
afterAll(async () => {
  await server?.stop();
});


async function waitFor(check: () => Promise<boolean>, timeoutMs = 3000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return false;
}

describe('Ollama API with the ollama client', () => {
  it('answers /api/chat without streaming, with real timings', async () => {
    const response = await ollama.chat({
      model: 'stories:latest',
      messages: [{ role: 'user', content: STORY }],
      stream: false,
      options: { temperature: 0, num_predict: 20 },
    });
    expect(response.model).toBe('stories:latest');
    expect(response.done).toBe(true);
    expect(response.done_reason).toBe('length');
    expect(response.message.role).toBe('assistant');
    expect(STORY_CONTINUATION.startsWith(response.message.content)).toBe(true);
    expect(response.message.content.length).toBeGreaterThan(20);
    expect(response.prompt_eval_count).toBe(7);
    expect(response.eval_count).toBe(20);
    for (const field of ['total_duration', 'load_duration', 'prompt_eval_duration', 'eval_duration'] as const) {
      expect(response[field]).toBeGreaterThan(0);
    }
    expect(response.total_duration).toBeGreaterThanOrEqual(response.load_duration + response.prompt_eval_duration + response.eval_duration);
  });

  it('streams /api/chat as NDJSON: text pieces, then one done line', async () => {
    const stream = await ollama.chat({
      model: 'stories',
      messages: [{ role: 'user', content: STORY }],
      stream: true,
      options: { temperature: 0, num_predict: 20 },
    });
    const parts = [];
    for await (const part of stream) parts.push(part);
    const last = parts.at(-1)!;
    expect(last.done).toBe(true);
    expect(last.eval_count).toBe(20);
    expect(parts.slice(0, -1).every((part) => !part.done)).toBe(true);
    const text = parts.map((part) => part.message.content).join('');
    expect(STORY_CONTINUATION.startsWith(text)).toBe(true);
  });

  it('answers /api/generate, streaming and not, with stop options', async () => {
    const whole = await ollama.generate({ model: 'stories', prompt: STORY, stream: false, options: { temperature: 0, stop: ['Lily'], num_predict: 40 } });
    expect(whole.response).toBe(', there was a little girl named ');
    expect(whole.done_reason).toBe('stop');
    const stream = await ollama.generate({ model: 'stories', prompt: STORY, stream: true, options: { temperature: 0, num_predict: 20 } });
    let text = '';
    for await (const part of stream) text += part.response;
    expect(STORY_CONTINUATION.startsWith(text)).toBe(true);
    expect(text.length).toBeGreaterThan(20);
  });

  it('continues a raw prompt without the template, as /v1/completions does', async () => {
    const raw = await ollama.generate({ model: 'brown', prompt: 'The jury said', raw: true, stream: false, options: { temperature: 0, num_predict: 12 } });
    const completion = await server.client.completions.create({ model: 'brown', prompt: 'The jury said', temperature: 0, max_tokens: 12 });
    expect(raw.response).toBe(completion.choices[0]!.text);
    expect(raw.eval_count).toBe(12);
    const templated = await ollama.generate({ model: 'brown', prompt: 'The jury said', stream: false, options: { temperature: 0, num_predict: 12 } });
    expect(templated.prompt_eval_count).toBeGreaterThan(raw.prompt_eval_count);
    const fim = await ollama.generate({ model: 'brown', prompt: 'The jury', suffix: 'said.', stream: false }).catch((e: unknown) => e);
    expect(fim).toMatchObject({ status_code: 400 });
    expect((fim as Error).message).toMatch(/suffix|infill/i);
  });

  it('lists models with tags, shows one, reports the version and answers GET / and HEAD /', async () => {
    const tags = await ollama.list();
    const names = tags.models.map((model) => model.name);
    expect(names).toEqual(expect.arrayContaining(['stories260K:latest', 'brown-llama-1m:latest']));
    const stories = tags.models.find((model) => model.name === 'stories260K:latest')!;
    expect(stories.size).toBeGreaterThan(1_000_000);
    expect(stories.details.format).toBe('gguf');
    expect(stories.digest).toMatch(/^[0-9a-f]{64}$/);
    const shown = await ollama.show({ model: 'stories260K:latest' });
    expect(shown.details).toMatchObject({ format: 'gguf', family: 'llama' });
    expect(shown.model_info).toMatchObject({ 'general.architecture': 'llama', 'llama.context_length': 2048 });
    expect((await ollama.version()).version).toMatch(/^\d+\.\d+\.\d+$/);
    const root = await fetch(server.url);
    expect(await root.text()).toBe('Ollama is running');
    const head = await fetch(server.url, { method: 'HEAD' });
    expect(head.status).toBe(200);
  });

  it('shows loaded models in /api/ps and unloads with keep_alive 0', async () => {
    await ollama.generate({ model: 'brown', prompt: '', keep_alive: -1 });
    const ps = await ollama.ps();
    const brown = ps.models.find((model) => model.name === 'brown-llama-1m:latest');
    expect(brown).toBeDefined();
    expect(brown!.size).toBeGreaterThan(0);
    await ollama.chat({ model: 'brown', messages: [{ role: 'user', content: 'Hi' }], stream: false, keep_alive: 0, options: { num_predict: 2 } });
    expect(await waitFor(async () => !(await ollama.ps()).models.some((model) => model.name === 'brown-llama-1m:latest'))).toBe(true);
  });

  it('maps keep_alive onto the model TTL', async () => {
    await ollama.generate({ model: 'brown', prompt: '', keep_alive: '1h' });
    const brown = (await ollama.ps()).models.find((model) => model.name === 'brown-llama-1m:latest')!;
    const expiresIn = new Date(brown.expires_at).getTime() - Date.now();
    expect(expiresIn).toBeGreaterThan(3500_000);
    expect(expiresIn).toBeLessThanOrEqual(3600_000);
    await ollama.generate({ model: 'brown', prompt: '', keep_alive: 0 });
    expect((await ollama.ps()).models.some((model) => model.name === 'brown-llama-1m:latest')).toBe(false);

    // A short keep_alive unloads the idle model once it has passed.
    await ollama.chat({ model: 'brown', messages: [{ role: 'user', content: 'Hi' }], stream: false, keep_alive: '500ms', options: { num_predict: 2 } });
    expect((await ollama.ps()).models.some((model) => model.name === 'brown-llama-1m:latest')).toBe(true);
    expect(await waitFor(async () => !(await ollama.ps()).models.some((model) => model.name === 'brown-llama-1m:latest'), 4000)).toBe(true);
  });

  it('embeds one input or several, the same text to the same vector', async () => {
    const one = await ollama.embed({ model: 'stories', input: 'Once upon a time' });
    const many = await ollama.embed({ model: 'stories', input: ['Once upon a time', 'Lily and Ben'] });
    expect(one.model).toBe('stories');
    expect(one.embeddings).toHaveLength(1);
    expect(many.embeddings).toHaveLength(2);
    expect(one.embeddings[0]!.length).toBeGreaterThan(10);
    expect(many.embeddings[0]).toEqual(one.embeddings[0]);
    expect(many.embeddings[1]).not.toEqual(one.embeddings[0]);
    expect(many.prompt_eval_count).toBeGreaterThan(one.prompt_eval_count!);
    const short = await ollama.embed({ model: 'stories', input: 'Once upon a time', dimensions: 8 });
    expect(short.embeddings[0]).toHaveLength(8);
    expect(Math.hypot(...short.embeddings[0]!)).toBeCloseTo(1, 5);
    const legacy = await ollama.embeddings({ model: 'stories:latest', prompt: 'Once upon a time' });
    expect(legacy.embedding).toEqual(one.embeddings[0]);
  });

  it('answers errors as {"error": ...} with proper statuses', async () => {
    const missing = await ollama.chat({ model: 'nope', messages: [{ role: 'user', content: 'hi' }], stream: false }).catch((e: unknown) => e);
    expect(missing).toMatchObject({ status_code: 404 });
    expect((missing as Error).message).toContain("'nope'");
    const raw = await fetch(`${server.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model":' });
    expect(raw.status).toBe(400);
    const body = (await raw.json()) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['error']);
    const badOption = await fetch(`${server.url}/api/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'stories', prompt: 'x', options: { temperature: 'hot' } }),
    });
    expect(badOption.status).toBe(400);
    expect(((await badOption.json()) as { error: string }).error).toContain('options.temperature');
  });
});
