import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { APIError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODELS_DIR, startTestServer, type TestServer } from './helpers/test-server.js';
import { readSseEvents, requestJson } from './helpers/http.js';
import { lfsFile, startLocalHub, textFile, type LocalHub } from './helpers/local-hub.js';

const REPO = 'llmux-test/brown-llama-1m-GGUF';
let hub: LocalHub;
let server: TestServer;
let cacheDir: string;

const json = (method: string, url: string, body?: unknown) => requestJson(server.url, method, url, body);
const readEvents = readSseEvents;

beforeAll(async () => {
  cacheDir = await mkdtemp(path.join(tmpdir(), 'llmux-admin-cache-'));
  const corrupted = lfsFile(path.join(MODELS_DIR, 'brown-llama-1m-F16.gguf'));
  corrupted.served = Buffer.from(corrupted.content);
  corrupted.served[5000] ^= 1;
  hub = await startLocalHub({
    [REPO]: [lfsFile(path.join(MODELS_DIR, 'brown-llama-1m-Q8_0.gguf')), lfsFile(path.join(MODELS_DIR, 'brown-llama-1m-F16.gguf')), textFile('README.md', 'brown\n')],
    'llmux-test/corrupted': [corrupted],
  });
  server = await startTestServer({
    memory: { maxFraction: 0.9, maxBytes: '64MB' },
    store: { cacheDir, hfEndpoint: hub.url, aliasesFile: path.join(cacheDir, 'aliases.json') },
    models: {
      brown: { source: path.join(MODELS_DIR, 'brown-llama-1m-Q8_0.gguf'), aliases: ['b'] },
      stories: { source: path.join(MODELS_DIR, 'stories260K.gguf') },
    },
  });
});

afterAll(async () => {
  await server?.stop();
  await hub?.close();
  await rm(cacheDir, { recursive: true, force: true });
});

describe('admin API', () => {
  it('reports status, memory and the inventory with metadata read from the files', async () => {
    const status = await json('GET', '/admin/status');
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ version: expect.any(String), uptime_seconds: expect.any(Number), requests_served: expect.any(Number), queue_depth: 0 });
    expect(status.body.models.map((m: { id: string }) => m.id)).toEqual(['brown', 'stories']);
    expect(status.body.devices).toEqual(expect.any(Array));
    await json('POST', '/admin/models/load', { model_id: 'stories' });
    const withModel = await json('GET', '/admin/status');
    expect(withModel.body.devices).toEqual([
      expect.objectContaining({ gpu: false, devices: expect.any(Array), memory: expect.objectContaining({ total_bytes: expect.any(Number) }) }),
    ]);
    await json('POST', '/admin/models/unload', { model_id: 'stories' });
    const memory = await json('GET', '/admin/memory');
    expect(memory.body).toMatchObject({ threshold_percent: 90, cap_bytes: 64 * 1024 * 1024, models: [] });
    expect(memory.body.total_gb).toBeGreaterThan(memory.body.available_gb);
    const models = await json('GET', '/admin/models');
    expect(models.body.data).toEqual([
      expect.objectContaining({ id: 'brown', aliases: ['b'], state: 'available', format: 'gguf', architecture: 'llama', quantization: 'Q8_0', context_length: 256 }),
      expect.objectContaining({ id: 'stories', format: 'gguf', architecture: 'llama', quantization: 'F32', context_length: 2048 }),
    ]);
  });

  it('loads and unloads on request and publishes each change on /admin/events', async () => {
    const stream = await fetch(`${server.url}/admin/events`);
    expect(stream.headers.get('content-type')).toMatch(/text\/event-stream/);
    const collected = readEvents(stream, (events) => events.some((e) => e.event === 'unloaded'));
    const loaded = await json('POST', '/admin/models/load', { model_id: 'b' });
    expect(loaded.body).toMatchObject({ id: 'brown', state: 'loaded', memory_bytes: expect.any(Number), load_ms: expect.any(Number) });
    const memory = await json('GET', '/admin/memory');
    expect(memory.body.models).toEqual([expect.objectContaining({ id: 'brown', state: 'loaded' })]);
    const unloaded = await json('POST', '/admin/models/unload', { model_id: 'brown' });
    expect(unloaded.body).toEqual({ id: 'brown', state: 'available', unloaded: true });
    // The periodic `stats` event and `load_progress` may fall in between: only state changes count here.
    const events = (await collected).filter((e) => e.event !== 'stats' && e.event !== 'load_progress');
    expect(events.map((e) => e.event)).toEqual(['loading', 'loaded', 'unloading', 'unloaded']);
    expect(events[3]!.data).toMatchObject({ model: 'brown', state: 'available', reason: 'request' });
  });

  it('answers bad admin requests in the OpenAI error shape', async () => {
    const missing = await json('POST', '/admin/models/load', {});
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({ type: 'invalid_request_error', param: 'model_id', code: 'invalid_request' });
    const unknown = await json('POST', '/admin/models/unload', { model_id: 'nope' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('model_not_found');
    const notPulled = await json('POST', '/admin/models/load', { model_id: 'llmux-test/none:Q4_K_M' });
    expect(notPulled.status).toBe(404);
    expect(notPulled.body.error.message).toMatch(/llmux pull llmux-test\/none:Q4_K_M/);
    const configured = await json('DELETE', '/admin/models/brown');
    expect(configured.status).toBe(400);
  });

  it('refuses a load over the memory cap with 507 and the numbers, through the openai client', async () => {
    const error = await server.client.chat.completions.create({ model: 'stories', messages: [{ role: 'user', content: 'hi' }], max_tokens: 4 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).status).toBe(507);
    expect((error as APIError).code).toBe('insufficient_memory');
    expect((error as APIError).message).toMatch(/needs about \d+\.\d MB, the cap is 64\.0 MB/);
  });

  it('pulls with SSE progress, serves the pulled model to the openai client, and deletes it', async () => {
    const res = await fetch(`${server.url}/admin/models/pull`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model_id: `${REPO}:Q8_0`, stream: true }),
    });
    const events = await readEvents(res, () => false);
    expect(events.at(-1)!.data).toBe('[DONE]');
    const success = events.at(-2)!.data;
    expect(success).toMatchObject({ status: 'success', model: `${REPO}:Q8_0`, format: 'gguf' });
    const progress = events.filter((e) => e.data.status === 'downloading').map((e) => e.data);
    expect(progress.at(-1)).toMatchObject({ file: 'brown-llama-1m-Q8_0.gguf', received_bytes: progress.at(-1).total_bytes });

    const listed = await server.client.models.list();
    expect(listed.data.map((m) => m.id)).toContain(`${REPO}:Q8_0`);
    const completion = await server.client.chat.completions.create({ model: `${REPO}:Q8_0`, messages: [{ role: 'user', content: 'The jury said' }], max_tokens: 5 });
    expect(completion.model).toBe(`${REPO}:Q8_0`);
    expect(completion.usage?.completion_tokens).toBeGreaterThan(0);

    const deleted = await json('DELETE', `/admin/models/${REPO}:Q8_0`);
    expect(deleted.body).toEqual({ id: `${REPO}:Q8_0`, object: 'model', deleted: true });
    expect((await server.client.models.list()).data.map((m) => m.id)).not.toContain(`${REPO}:Q8_0`);
    expect(existsSync(path.join(cacheDir, 'models--llmux-test--brown-llama-1m-GGUF'))).toBe(false);
  });

  it('shares one download between concurrent pulls of the same model', async () => {
    hub.requests.length = 0;
    const ref = `${REPO}:F16`;
    const [a, b] = await Promise.all([json('POST', '/admin/models/pull', { model_id: ref }), json('POST', '/admin/models/pull', { model_id: ref })]);
    expect(a.body).toEqual(b.body);
    expect(a.body.model).toBe(ref);
    const downloads = hub.requests.filter((r) => r.url.endsWith('/brown-llama-1m-F16.gguf') && r.range !== 'bytes=0-0');
    expect(downloads).toHaveLength(1);
  });

  it('pulls without streaming as one JSON body, and reports a corrupted download as 502', async () => {
    const ok = await json('POST', '/admin/models/pull', { model_id: `${REPO}/brown-llama-1m-Q8_0.gguf` });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ status: 'success', model: `${REPO}/brown-llama-1m-Q8_0.gguf` });
    const bad = await json('POST', '/admin/models/pull', { model_id: 'llmux-test/corrupted' });
    expect(bad.status).toBe(502);
    expect(bad.body.error).toMatchObject({ code: 'download_failed', type: 'server_error' });
    expect(bad.body.error.message).toMatch(/failed verification/);
  });
});
