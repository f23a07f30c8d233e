import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig, TimeoutError } from '@llmux/core';
import { deadlineOf, timeoutsMiddleware } from './timeouts.js';

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** A real server whose route writes `writes` chunks `gapMs` apart and reports how its deadline fired. */
async function serve(timeouts: { requestTimeout?: string; streamIdleTimeout?: string }, writes: number, gapMs: number) {
  const config = parseConfig({ server: timeouts });
  const fired: Array<unknown> = [];
  const app = express();
  app.use(timeoutsMiddleware(config.server));
  app.get('/', (_req, res) => {
    const deadline = deadlineOf(res)!;
    res.flushHeaders();
    let sent = 0;
    const timer = setInterval(() => {
      if (sent === writes) return;
      res.write(`chunk ${sent++}\n`);
    }, gapMs);
    deadline.addEventListener('abort', () => {
      fired.push(deadline.reason);
      clearInterval(timer);
      res.end('aborted\n');
    });
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server!.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return { fired, text: () => fetch(url).then((res) => res.text()) };
}

describe('timeoutsMiddleware', () => {
  it('fires streamIdleTimeout when a started response goes silent, not while it keeps writing', async () => {
    const { fired, text } = await serve({ requestTimeout: '10s', streamIdleTimeout: '150ms' }, 5, 40);
    const body = await text();
    expect(body).toBe('chunk 0\nchunk 1\nchunk 2\nchunk 3\nchunk 4\naborted\n');
    expect(fired).toHaveLength(1);
    expect(fired[0]).toBeInstanceOf(TimeoutError);
    expect((fired[0] as Error).message).toContain('nothing for 0.15 s');
  });

  it('fires requestTimeout even while the response keeps writing', async () => {
    const { fired, text } = await serve({ requestTimeout: '200ms', streamIdleTimeout: '10s' }, 1000, 20);
    const body = await text();
    expect(body.endsWith('aborted\n')).toBe(true);
    expect(body.split('\n').length).toBeGreaterThan(3);
    expect((fired[0] as Error).message).toContain('limit of 0.2 s');
  });
});
