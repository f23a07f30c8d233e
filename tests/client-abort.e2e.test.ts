import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ modelDefaults: { parallel: 4, maxQueue: 64 } });
});
afterAll(() => server?.stop());

const body = JSON.stringify({
  model: 'stories',
  messages: [{ role: 'user', content: 'Once upon a time' }],
  max_tokens: 1000,
  temperature: 0.8,
  stream: true,
});

/**
 * Opens a streaming request and destroys its socket: after the first SSE bytes (`afterFirstChunk`),
 * or after `delayMs` whatever happened (the request may still be queued). Resolves when it is gone.
 */
function killMidStream(afterFirstChunk: boolean, delayMs: number): Promise<'mid-stream' | 'early'> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${server.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' } });
    req.on('error', () => undefined);
    let sawData = false;
    req.on('response', (res) => {
      res.on('error', () => undefined);
      res.once('data', () => {
        sawData = true;
        if (afterFirstChunk) req.destroy();
      });
    });
    req.on('close', () => resolve(sawData ? 'mid-stream' : 'early'));
    if (!afterFirstChunk) setTimeout(() => req.destroy(), delayMs);
    setTimeout(() => reject(new Error('request did not close')), 20_000).unref();
    req.end(body);
  });
}

describe('clients that vanish mid-stream', () => {
  it('frees every sequence and queue place after 100 killed streams', async () => {
    const outcomes: string[] = [];
    // 10 waves of 10: more than the 4 sequences, so some are killed while queued.
    for (let wave = 0; wave < 10; wave++) {
      const kills = Array.from({ length: 10 }, (_, i) => killMidStream(i % 2 === 0, 5 + ((wave * 10 + i) % 7) * 10));
      outcomes.push(...(await Promise.all(kills)));
    }
    expect(outcomes).toHaveLength(100);
    expect(outcomes.filter((o) => o === 'mid-stream').length).toBeGreaterThanOrEqual(50);
    const model = server.runtime.manager.peek('stories260K')!;
    await expect.poll(() => model.stats(), { timeout: 10_000 }).toMatchObject({ active: 0, queued: 0, slots: 4 });
    await expect.poll(() => server.runtime.inflight.size, { timeout: 5000 }).toBe(0);

    // All four sequences still generate the greedy text a fresh server gives.
    const answers = await Promise.all(
      Array.from({ length: 4 }, () =>
        server.client.chat.completions.create({ model: 'stories', messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 20, temperature: 0 }),
      ),
    );
    for (const answer of answers) expect(answer.choices[0]!.message.content).toMatch(/^, there was a little girl named Lily/);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/llmux_http_requests_total\{route="\/v1\/chat\/completions",model="stories260K",status="client_closed"\} \d+/);
  });
});
