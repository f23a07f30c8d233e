import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODELS_DIR } from './helpers/test-server.js';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../packages/server/dist/cli/main.cjs');
const run = (...args: string[]) => promisify(execFile)(process.execPath, [CLI, ...args]);
let work: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'llmux-convert-cli-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('llmux convert', () => {
  it('writes an MLX folder from a GGUF', async () => {
    const folder = path.join(work, 'stories');
    const { stdout } = await run('convert', path.join(MODELS_DIR, 'stories260K.gguf'), folder);
    expect(stdout).toMatch(/^Wrote llama model to .*stories \(48 tensors\)/);
    const config = JSON.parse(await readFile(path.join(folder, 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(config).toMatchObject({ num_attention_heads: 8, num_key_value_heads: 4, bos_token_id: 1 });
  });

  it('says what to fix for a bad --quantize and a folder in the way', async () => {
    await expect(run('convert', path.join(MODELS_DIR, 'stories260K.gguf'), path.join(work, 'q'), '--quantize', '3')).rejects.toMatchObject({
      stderr: "llmux: --quantize takes 4 or 8, not '3'.\n",
    });
    await expect(run('convert', path.join(MODELS_DIR, 'stories260K.gguf'), path.join(work, 'stories'))).rejects.toMatchObject({
      stderr: expect.stringMatching(/is not empty; pass --force to replace it/),
    });
  });
});
