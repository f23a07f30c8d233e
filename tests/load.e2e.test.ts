import autocannon from 'autocannon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';

// A reduced bench/load.mjs: 32 concurrent clients against a small queue, so some requests are
// deliberately refused with 503. Nothing else may fail, and the server must be idle afterwards.

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ modelDefaults: { parallel: 4, maxQueue: 8 } });
});
afterAll(() => server?.stop());

describe('32 concurrent clients', () => {
  it('get 200 or a deliberate 503 with Retry-After, never an error, and leave the server idle', async () => {
    const body = JSON.stringify({ model: 'stories', messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 4 });
    const retryAfter = new Set<string>();
    const result = await autocannon({
      url: `${server.url}/v1/chat/completions`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      connections: 32,
      amount: 300,
      timeout: 20,
      requests: [
        {
          body,
          onResponse: (status: number, _body: string, _context: unknown, headers: Record<string, string>) => {
            if (status === 503) retryAfter.add(headers['retry-after'] ?? headers['Retry-After'] ?? 'missing');
          },
        },
      ],
    });
    const statuses = Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, stats]) => [code, stats.count]));
    expect(result.errors + result.timeouts).toBe(0);
    expect(Object.keys(statuses).every((code) => code === '200' || code === '503'), JSON.stringify(statuses)).toBe(true);
    expect(statuses['200']).toBeGreaterThan(0);
    // 32 clients against 4 sequences + 8 queue places: the overflow is refused, not stalled.
    expect(statuses['503']).toBeGreaterThan(0);
    expect((statuses['200'] ?? 0) + (statuses['503'] ?? 0)).toBe(300);
    expect([...retryAfter]).toEqual(['1']);
    expect(server.runtime.manager.peek('stories260K')!.stats()).toMatchObject({ active: 0, queued: 0, slots: 4 });
    expect(server.runtime.inflight.size).toBe(0);
    expect((await fetch(`${server.url}/admin/health`)).status).toBe(200);
  });
});
