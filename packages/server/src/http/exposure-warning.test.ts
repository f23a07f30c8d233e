import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, parseConfig } from '@llmux/core';
import { isLoopbackHost, warnIfOpenWithoutKeys } from './exposure-warning.js';

function capture() {
  const lines: string[] = [];
  const logger = createLogger({
    destination: new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    }),
  });
  return { logger, lines };
}

describe('start-up exposure warning', () => {
  it('knows loopback addresses', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'example.com', '10.0.0.1']) expect(isLoopbackHost(host), host).toBe(false);
  });

  it('warns loudly when bound beyond loopback without any key, and only then', () => {
    const open = capture();
    expect(warnIfOpenWithoutKeys(parseConfig({ server: { host: '0.0.0.0' } }), open.logger)).toBe(true);
    expect(open.lines).toHaveLength(1);
    const entry = JSON.parse(open.lines[0]!) as { level: number; msg: string };
    expect(entry.level).toBe(40);
    expect(entry.msg).toMatch(/NO API KEY/);

    const quiet = capture();
    expect(warnIfOpenWithoutKeys(parseConfig({ server: { host: '0.0.0.0', apiKeys: ['k'] } }), quiet.logger)).toBe(false);
    expect(warnIfOpenWithoutKeys(parseConfig({ server: { host: '0.0.0.0', adminApiKeys: ['k'] } }), quiet.logger)).toBe(false);
    expect(warnIfOpenWithoutKeys(parseConfig({ server: { host: '127.0.0.1' } }), quiet.logger)).toBe(false);
    expect(quiet.lines).toHaveLength(0);
  });
});
