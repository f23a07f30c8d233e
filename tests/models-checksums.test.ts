import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MODELS_DIR } from './helpers/test-server.js';

describe('bundled models', () => {
  it('match their SHA-256 sums', async () => {
    const sums = (await readFile(path.join(MODELS_DIR, 'SHA256SUMS'), 'utf8')).trim().split('\n');
    expect(sums.length).toBeGreaterThanOrEqual(9);
    for (const line of sums) {
      const [expected, file] = line.split(/\s+/);
      const actual = createHash('sha256').update(await readFile(path.join(MODELS_DIR, file!))).digest('hex');
      expect(actual, file).toBe(expected);
    }
  });
});
