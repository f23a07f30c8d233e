import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { OPENING_HOLD_MS } from './opening-hold.js';
import { SseWriter } from './sse-writer.js';

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/**
 * A real server whose stream opens, writes a role chunk at once (as the chat route does), then its first output after
 * `firstOutputMs` (or in the same turn, after a few promise hops, when it is undefined). Returns what a raw client
 * read, each read with its time since the request.
 */
async function readsOf(firstOutputMs: number | undefined): Promise<Array<{ ms: number; text: string }>> {
  const app = express();
  app.get('/', async (_req, res) => {
    await undefined; // as in the routes, the stream opens in a promise continuation
    const sse = new SseWriter(res);
    sse.open();
    sse.openingData({ role: 'assistant' });
    const output = () => {
      sse.data({ content: 'Once' });
      setTimeout(() => sse.done(), 100);
    };
    if (firstOutputMs === undefined) {
      for (let hop = 0; hop < 5; hop++) await undefined;
      output();
    } else setTimeout(output, firstOutputMs);
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server!.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const reads: Array<{ ms: number; text: string }> = [];
    const socket = net.connect(port, '127.0.0.1');
    const start = performance.now();
    socket.on('connect', () => socket.write('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n'));
    socket.on('data', (data: Buffer) => {
      reads.push({ ms: performance.now() - start, text: data.toString('utf8') });
      if (reads.map((read) => read.text).join('').includes('data: [DONE]')) {
        socket.destroy();
        resolve(reads);
      }
    });
    socket.on('error', reject);
  });
}

describe('a stream opening', () => {
  it('leaves with the first output: status, headers, the role chunk and the first token in one read', async () => {
    const reads = await readsOf(25);
    expect(reads[0]!.text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(reads[0]!.text).toContain('Content-Type: text/event-stream');
    expect(reads[0]!.text).toContain('data: {"role":"assistant"}');
    expect(reads[0]!.text).toContain('data: {"content":"Once"}');
    expect(reads[0]!.ms).toBeGreaterThanOrEqual(20);
  });

  // The chat route's whole way from the opening to the first token can be promise continuations with no turn of the
  // event loop in between (a decode on the JavaScript thread): the first output still sends the opening at once.
  it('leaves with a first output that follows it in the same turn', async () => {
    const reads = await readsOf(undefined);
    expect(reads[0]!.text).toContain('data: {"role":"assistant"}');
    expect(reads[0]!.text).toContain('data: {"content":"Once"}');
    expect(reads[0]!.ms).toBeLessThan(OPENING_HOLD_MS - 10);
  });

  it(`is sent after ${OPENING_HOLD_MS} ms when the first output takes longer`, async () => {
    const reads = await readsOf(OPENING_HOLD_MS + 250);
    expect(reads[0]!.text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(reads[0]!.text).toContain('data: {"role":"assistant"}');
    expect(reads[0]!.text).not.toContain('Once');
    expect(reads[0]!.ms).toBeGreaterThanOrEqual(OPENING_HOLD_MS - 5);
    expect(reads[0]!.ms).toBeLessThan(OPENING_HOLD_MS + 200);
    expect(reads.map((read) => read.text).join('')).toContain('data: {"content":"Once"}');
  });
});
