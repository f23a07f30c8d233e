import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// The side-by-side benchmark does not run in CI (minutes, and numbers need a quiet machine); this runs its
// smoke mode: one short request per engine on stories260K. llama-server takes part only where
// bench/.cache already holds its build (`pnpm bench:engines` makes it; ~5 min of cmake), so in CI the
// smoke covers llmux (the real executable over HTTP) and node-llama-cpp direct.
describe('bench:engines --smoke', () => {
  it('gets tokens from every engine and prints the table', async () => {
    // run.mjs --smoke exits non-zero when an engine fails or returns no tokens
    const { stdout } = await promisify(execFile)(process.execPath, ['bench/engines/run.mjs', '--smoke'], { cwd: ROOT, timeout: 120_000 });
    expect(stdout).toContain('### stories260K');
    expect(stdout).toMatch(/\| direct tok\/s \| llmux tok\/s \|/);
    expect(stdout).toMatch(/^\| 1 \| 1 \| /m);
  });
});
