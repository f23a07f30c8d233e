import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { readSseEvents, requestJson } from './helpers/http.js';

let server: TestServer;

const json = (method: string, url: string, body?: unknown) => requestJson(server.url, method, url, body);
const readEvents = readSseEvents;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server?.stop();
});

describe('admin additions for the dashboard', () => {
  it('serves the dashboard at /ui and to browsers at /, with its modules, without a key', async () => {
    for (const url of ['/', '/ui', '/ui/']) {
      const res = await fetch(`${server.url}${url}`, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
      expect(res.headers.get('content-security-policy')).toMatch(/^default-src 'self'/);
      expect(await res.text()).toContain('<script type="module" src="/ui/app.js">');
    }
    // Other clients keep Ollama's probe at `/`.
    const probe = await fetch(`${server.url}/`);
    expect(await probe.text()).toBe('Ollama is running');
    const js = await fetch(`${server.url}/ui/app.js`);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    const css = await fetch(`${server.url}/ui/style.css`);
    expect(css.headers.get('content-type')).toMatch(/text\/css/);
    expect((await fetch(`${server.url}/ui/nope.js`)).status).toBe(404);
  });

  it('pins and unpins at run time and says what to fix on bad input', async () => {
    const pinned = await json('POST', '/admin/models/pin', { model_id: 'stories260K', pinned: true });
    expect(pinned.status).toBe(200);
    expect(pinned.body).toMatchObject({ id: 'stories260K', pinned: true });
    const listed = await json('GET', '/admin/models');
    expect(listed.body.data.find((m: any) => m.id === 'stories260K')).toMatchObject({ pinned: true, backend: 'gguf', memory_used_bytes: null });
    expect((await json('POST', '/admin/models/pin', { model_id: 'stories', pinned: false })).body.pinned).toBe(false);
    const bad = await json('POST', '/admin/models/pin', { model_id: 'stories' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/pinned/);
    const unknown = await json('POST', '/admin/models/pin', { model_id: 'nope', pinned: true });
    expect(unknown.status).toBe(404);
  });

  it('publishes load progress between loading and loaded', async () => {
    const stream = await fetch(`${server.url}/admin/events`);
    const collected = readEvents(stream, (events) => events.some((e) => e.event === 'loaded'));
    await json('POST', '/admin/models/load', { model_id: 'brown' });
    const events = (await collected).filter((e) => e.event !== 'stats');
    expect(events[0]!.event).toBe('loading');
    expect(events.at(-1)!.event).toBe('loaded');
    const progress = events.filter((e) => e.event === 'load_progress').map((e) => e.data.progress as number);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.every((p) => p >= 0 && p <= 1)).toBe(true);
    expect(events.filter((e) => e.event === 'load_progress').every((e) => e.data.model === 'brown-llama-1m')).toBe(true);
    const listed = await json('GET', '/admin/models');
    expect(listed.body.data.find((m: any) => m.id === 'brown-llama-1m')).toMatchObject({ state: 'loaded', load_progress: null });
  });

  it('streams a request event per generation and stats, and keeps recent requests for GET /admin/activity', async () => {
    const stream = await fetch(`${server.url}/admin/events`);
    // A stats event after the request event: it sees the model loaded and idle again.
    const statsAfterRequest = (events: { event: string }[]) => events.findIndex((e) => e.event === 'request') >= 0 && events.at(-1)!.event === 'stats';
    const collected = readEvents(stream, statsAfterRequest);
    const res = await server.client.chat.completions
      .create({ model: 'stories', messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 8, temperature: 0 })
      .withResponse();
    expect(res.response.headers.get('x-llmux-route')).toBeTruthy();
    const events = await collected;
    const request = events.find((e) => e.event === 'request')!.data;
    expect(request).toMatchObject({
      model: 'stories260K',
      route: res.response.headers.get('x-llmux-route'),
      reason: res.response.headers.get('x-llmux-route-reason'),
      status: 200,
      prompt_tokens: expect.any(Number),
      completion_tokens: 8,
      ttft_ms: expect.any(Number),
    });
    const stats = events.at(-1)!.data;
    expect(stats.memory.cap_bytes).toBeGreaterThan(0);
    expect(stats.requests_served).toBeGreaterThanOrEqual(1);
    expect(stats.series).toHaveLength(20);
    expect(stats.models).toEqual(expect.arrayContaining([expect.objectContaining({ id: 'stories260K', state: 'loaded', active_requests: 0 })]));

    const activity = await json('GET', '/admin/activity');
    expect(activity.body.recent[0]).toMatchObject({ model: 'stories260K', status: 200, completion_tokens: 8 });
    const total = activity.body.stats.series.reduce((sum: number, b: any) => sum + b.requests, 0);
    expect(total).toBe(1);
    expect(activity.body.stats.series.at(-1).tokens_per_second ?? activity.body.stats.series.at(-2).tokens_per_second).toBeGreaterThan(0);

    const failed = await json('POST', '/v1/chat/completions', { model: 'no-such-model', messages: [{ role: 'user', content: 'hi' }] });
    expect(failed.status).toBe(404);
    const after = await json('GET', '/admin/activity');
    expect(after.body.recent[0]).toMatchObject({ model: 'no-such-model', status: 404, route: null, ttft_ms: null });
  });
});
