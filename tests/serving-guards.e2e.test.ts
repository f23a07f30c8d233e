import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { MODELS_DIR, startTestServer, type TestServer } from './helpers/test-server.js';

const chat = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({ model: 'stories', messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 4, temperature: 0, ...extra });

async function post(url: string, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: res.status, headers: res.headers, json: (await res.json()) as { error?: { code: string; message: string; type: string; param: string | null } } };
}

describe('API keys', () => {
  let server: TestServer;
  let keyFile: string;
  beforeAll(async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'llmux-keys-'));
    keyFile = path.join(dir, 'keys.txt');
    await writeFile(keyFile, '# team keys\nfile-key-1\n\nadmin file-admin-1\n');
    server = await startTestServer({ server: { apiKeys: ['sk-api-1'], adminApiKeys: ['sk-admin-1'], keyFile } });
  });
  afterAll(() => server?.stop());

  it('answers 401 in the OpenAI shape without a key or with a wrong one', async () => {
    const missing = await post(`${server.url}/v1/chat/completions`, chat());
    expect(missing.status).toBe(401);
    expect(missing.json.error).toMatchObject({ code: 'unauthorized', type: 'authentication_error', param: null });
    expect(missing.json.error!.message).toMatch(/Missing API key/);
    const wrong = await post(`${server.url}/v1/chat/completions`, chat(), { authorization: 'Bearer sk-api-2' });
    expect(wrong.status).toBe(401);
    expect(wrong.json.error!.message).toMatch(/Incorrect API key/);
  });

  it('takes Bearer and x-api-key, from config and key file, and admin keys on the API too', async () => {
    for (const headers of [
      { authorization: 'Bearer sk-api-1' },
      { 'x-api-key': 'sk-api-1' },
      { authorization: 'bearer file-key-1' },
      { 'x-api-key': 'sk-admin-1' },
      { authorization: 'Bearer file-admin-1' },
    ]) {
      const res = await fetch(`${server.url}/v1/models`, { headers });
      expect(res.status, JSON.stringify(Object.keys(headers))).toBe(200);
    }
  });

  it('works with the official openai client and its apiKey', async () => {
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'sk-api-1', maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: 'stories', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 3 });
    expect(completion.choices[0]!.message.role).toBe('assistant');
    const bad = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'nope', maxRetries: 0 });
    await expect(bad.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it('guards /metrics with admin keys only, and leaves /admin/health open', async () => {
    expect((await fetch(`${server.url}/admin/health`)).status).toBe(200);
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    const apiOnly = await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer sk-api-1' } });
    expect(apiOnly.status).toBe(401);
    expect(((await apiOnly.json()) as { error: { message: string } }).error.message).toMatch(/admin key/);
    expect((await fetch(`${server.url}/metrics`, { headers: { 'x-api-key': 'file-admin-1' } })).status).toBe(200);
  });
});

describe('CORS', () => {
  let server: TestServer;
  let configured: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    configured = await startTestServer({ server: { cors: { origins: ['https://app.example.com'], headers: ['authorization', 'content-type'] } } });
  });
  afterAll(async () => {
    await server?.stop();
    await configured?.stop();
  });

  const preflight = (url: string, origin: string) =>
    fetch(`${url}/v1/chat/completions`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-stainless-os' },
    });

  it('allows localhost pages by default and answers their preflight', async () => {
    const res = await preflight(server.url, 'http://localhost:5173');
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    expect(res.headers.get('access-control-allow-headers')).toBe('authorization,content-type,x-stainless-os');
    expect(res.headers.get('access-control-max-age')).toBe('600');
    const get = await fetch(`${server.url}/v1/models`, { headers: { origin: 'http://127.0.0.1:3000' } });
    expect(get.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:3000');
    expect(get.headers.get('access-control-expose-headers')).toContain('x-request-id');
  });

  it('gives other origins no CORS headers by default', async () => {
    const res = await preflight(server.url, 'https://evil.example');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const get = await fetch(`${server.url}/v1/models`, { headers: { origin: 'https://evil.example' } });
    expect(get.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('allows exactly the configured origins and headers', async () => {
    const ok = await preflight(configured.url, 'https://app.example.com');
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(ok.headers.get('access-control-allow-headers')).toBe('authorization,content-type');
    const local = await preflight(configured.url, 'http://localhost:5173');
    expect(local.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('limits', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      server: { bodyLimit: '2kb', maxMessages: 3, maxTokens: 16, rateLimit: { requestsPerMinute: 5, tokensPerMinute: 0 }, apiKeys: ['a', 'b'] },
    });
  });
  afterAll(() => server?.stop());

  it('answers 413 with the limit for a body over bodyLimit', async () => {
    const res = await post(`${server.url}/v1/chat/completions`, chat({ messages: [{ role: 'user', content: 'x'.repeat(4000) }] }), { 'x-api-key': 'b' });
    expect(res.status).toBe(413);
    expect(res.json.error).toMatchObject({ code: 'payload_too_large' });
    expect(res.json.error!.message).toContain('2048 bytes');
  });

  it('caps messages and max_tokens with 400s that name the field', async () => {
    const many = await post(`${server.url}/v1/chat/completions`, chat({ messages: Array(4).fill({ role: 'user', content: 'hi' }) }), { 'x-api-key': 'b' });
    expect(many.status).toBe(400);
    expect(many.json.error).toMatchObject({ code: 'invalid_request', param: 'messages' });
    expect(many.json.error!.message).toContain('at most 3');
    const long = await post(`${server.url}/v1/chat/completions`, chat({ max_completion_tokens: 17 }), { 'x-api-key': 'b' });
    expect(long.status).toBe(400);
    expect(long.json.error).toMatchObject({ param: 'max_completion_tokens' });
  });

  it('limits requests per key with 429 and Retry-After, keys apart', async () => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 7; i++) {
      const res = await fetch(`${server.url}/v1/models`, { headers: { authorization: 'Bearer a' } });
      statuses.push(res.status);
      if (res.status === 429) {
        retryAfter = res.headers.get('retry-after');
        const body = (await res.json()) as { error: { code: string; type: string; message: string } };
        expect(body.error).toMatchObject({ code: 'rate_limit_exceeded', type: 'rate_limit_error' });
        expect(body.error.message).toContain('5 requests per minute');
      }
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(retryAfter)).toBeLessThanOrEqual(60);
    expect((await fetch(`${server.url}/v1/models`, { headers: { authorization: 'Bearer b' } })).status).toBe(200);
  });
});

describe('token rate limit and timeouts', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ server: { rateLimit: { requestsPerMinute: 0, tokensPerMinute: 20 } } });
  });
  afterAll(() => server?.stop());

  it('counts prompt and completion tokens per key and answers 429 once they pass the budget', async () => {
    // 7 prompt + 8 completion tokens = 15, under 20: allowed; the next one passes 20 when it ends.
    expect((await post(`${server.url}/v1/chat/completions`, chat({ max_tokens: 8 }))).status).toBe(200);
    expect((await post(`${server.url}/v1/chat/completions`, chat({ max_tokens: 8 }))).status).toBe(200);
    const limited = await post(`${server.url}/v1/chat/completions`, chat({ max_tokens: 8 }));
    expect(limited.status).toBe(429);
    expect(limited.json.error!.message).toContain('20 tokens per minute');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it('ends a request that passes requestTimeout with 504 timeout', async () => {
    const quick = await startTestServer({ server: { requestTimeout: '1ms' } });
    try {
      const res = await post(`${quick.url}/v1/chat/completions`, chat({ max_tokens: 200 }));
      expect(res.status).toBe(504);
      expect(res.json.error).toMatchObject({ code: 'timeout', type: 'server_error' });
      expect(res.json.error!.message).toMatch(/longer than the server's limit.*log id: req_/);
      expect((await fetch(`${quick.url}/admin/health`)).status).toBe(200);
    } finally {
      await quick.stop();
    }
  });
});

describe('timeouts in a stream', () => {
  let server: TestServer;
  beforeAll(async () => {
    // A long context, so the generation outlasts the deadline even on a fast machine.
    server = await startTestServer({
      server: { requestTimeout: '600ms' },
      models: { stories260K: { source: path.join(MODELS_DIR, 'stories260K.gguf'), aliases: ['stories'], contextSize: 8192 } },
    });
    // Load the model first (outside any HTTP deadline), so the deadline falls in the middle of the generation.
    await server.runtime.manager.load('stories');
  });
  afterAll(() => server?.stop());

  it('ends a stream that passes requestTimeout with a final timeout error event and frees its sequence', async () => {
    const res = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'stories', messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 100_000, stream: true }),
    });
    expect(res.status).toBe(200);
    const events = (await res.text()).split('\n\n').filter(Boolean);
    expect(events.length).toBeGreaterThan(3);
    const last = JSON.parse(events.at(-1)!.replace(/^data: /, '')) as { error: { code: string; message: string } };
    expect(last.error.code).toBe('timeout');
    expect(last.error.message).toMatch(/limit of 0.6 s/);
    await expect.poll(() => server.runtime.manager.peek('stories260K')!.stats().active, { timeout: 5000 }).toBe(0);
  });
});

describe('GET /metrics', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.stop());

  it('exposes requests, latency, first-token time, tokens, queue depth, loads and memory in Prometheus text', async () => {
    await server.client.chat.completions.create({ model: 'stories', messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 5, temperature: 0 });
    await fetch(`${server.url}/v1/nothing-here`);
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toContain('llmux_http_requests_total{route="/v1/chat/completions",model="stories260K",status="200"} 1');
    expect(text).toContain('llmux_http_requests_total{route="unmatched",model="",status="404"} 1');
    expect(text).toMatch(/llmux_http_request_duration_seconds_count\{route="\/v1\/chat\/completions",model="stories260K"\} 1/);
    expect(text).toMatch(/llmux_time_to_first_token_seconds_count\{model="stories260K"\} 1/);
    expect(text).toContain('llmux_tokens_total{model="stories260K",kind="prompt"} 7');
    expect(text).toContain('llmux_tokens_total{model="stories260K",kind="completion"} 5');
    expect(text).toMatch(/llmux_generation_tokens_per_second_count\{model="stories260K"\} 1/);
    expect(text).toContain('llmux_models_loaded 1');
    expect(text).toContain('llmux_model_queue_depth{model="stories260K"} 0');
    expect(text).toMatch(/llmux_model_load_duration_seconds_count\{model="stories260K"\} 1/);
    expect(text).toMatch(/llmux_model_memory_bytes\{model="stories260K",device="cpu"\} [1-9]/);
    expect(text).toMatch(/process_resident_memory_bytes [1-9]/);
  });
});
