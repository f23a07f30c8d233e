import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

function captured() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger({ level: 'trace', destination }), text: () => lines.join('') };
}

describe('logger redaction', () => {
  it('never writes keys, tokens or authorization headers', () => {
    const { logger, text } = captured();
    const secrets = ['sk-secret-1', 'sk-secret-2', 'hf_secret_3', 'Bearer sk-secret-4', 'sk-secret-5', 'hf_secret_6', 'sk-secret-7', 'pw-8'];
    logger.info({ req: { headers: { authorization: secrets[3], 'x-api-key': secrets[0], cookie: 'c=1' } } }, 'request');
    logger.info({ config: { server: { apiKeys: [secrets[1]], adminApiKeys: [secrets[4]] } } }, 'config');
    logger.warn({ env: { HF_TOKEN: secrets[2], LLMUX_API_KEY: secrets[6] }, hfToken: secrets[5] }, 'env');
    logger.error({ upstream: { headers: { authorization: secrets[3] }, password: secrets[7] } }, 'upstream failed');
    logger.debug({ apiKey: secrets[0], token: secrets[2] }, 'direct');
    const out = text();
    expect(out.split('\n').filter(Boolean)).toHaveLength(5);
    for (const secret of secrets) expect(out).not.toContain(secret);
    expect(out).toContain('[redacted]');
  });
});
