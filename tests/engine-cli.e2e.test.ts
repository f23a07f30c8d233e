import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findLocalBuild } from '@llmux/backend-gguf';
import { runCli } from './helpers/cli.js';

const llmux = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, { env: { ...process.env, LLMUX_BINDING: undefined, ...env } });

describe('llmux engine', () => {
  it('status names the binding CPU models get: the local build when there is one', async () => {
    const { code, stdout } = await llmux(['engine', 'status', '--json']);
    expect(code).toBe(0);
    const local = findLocalBuild();
    expect(JSON.parse(stdout)).toMatchObject(
      local ? { binary: 'localBuild', folder: local.folderName, gpu: false } : { binary: 'prebuilt', gpu: false },
    );
  });

  it('status follows LLMUX_BINDING=prebuilt', async () => {
    const { code, stdout } = await llmux(['engine', 'status', '--json'], { LLMUX_BINDING: 'prebuilt' });
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ binary: 'prebuilt', gpu: false });
  });

  it('build refuses an unknown --gpu before compiling anything', async () => {
    const { code, stderr } = await llmux(['engine', 'build', '--gpu', 'tpu']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/--gpu must be cuda, vulkan, metal or false \(got "tpu"\)/);
  });

  it('build says which tools are missing instead of failing inside the compiler', async () => {
    // an empty folder as PATH: no cmake, compiler or git can be found (node itself is started by its full path)
    const empty = mkdtempSync(path.join(tmpdir(), 'llmux-no-tools-'));
    const { code, stderr } = await llmux(['engine', 'build'], { PATH: empty });
    rmSync(empty, { recursive: true, force: true });
    expect(code).toBe(1);
    expect(stderr).toMatch(/needs cmake, a C\+\+ compiler, git on PATH \(Debian\/Ubuntu: apt-get install cmake g\+\+ git/);
  });
});
