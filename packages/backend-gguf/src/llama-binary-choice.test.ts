import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { chooseLlamaBinary, findLocalBuild, gpuOfBuildFolder } from './llama-binary-choice.js';

describe('gpuOfBuildFolder', () => {
  it('reads the GPU type from node-llama-cpp build folder names, hash suffix or not', () => {
    expect(gpuOfBuildFolder('linux-x64-cuda')).toBe('cuda');
    expect(gpuOfBuildFolder('linux-x64-cuda-a1b2c3d4')).toBe('cuda');
    expect(gpuOfBuildFolder('win-x64-vulkan')).toBe('vulkan');
    expect(gpuOfBuildFolder('mac-arm64-metal')).toBe('metal');
    expect(gpuOfBuildFolder('linux-x64')).toBe(false);
    expect(gpuOfBuildFolder('linux-x64-release-b1234')).toBe(false);
  });
});

describe('chooseLlamaBinary', () => {
  it('searches prebuilt binaries when nothing was built here', () => {
    expect(chooseLlamaBinary('cuda', undefined)).toEqual({ kind: 'search', gpu: 'cuda' });
    expect(chooseLlamaBinary(false, undefined)).toEqual({ kind: 'search', gpu: false });
    expect(chooseLlamaBinary('auto', undefined)).toEqual({ kind: 'search', gpu: 'auto' });
  });

  it('takes a local build made for the same GPU type, custom options (hash) included', () => {
    expect(chooseLlamaBinary('cuda', { folderName: 'linux-x64-cuda' })).toEqual({ kind: 'localBuild', folderName: 'linux-x64-cuda' });
    expect(chooseLlamaBinary('cuda', { folderName: 'linux-x64-cuda-9f3e' })).toEqual({ kind: 'localBuild', folderName: 'linux-x64-cuda-9f3e' });
    expect(chooseLlamaBinary(false, { folderName: 'linux-x64' })).toEqual({ kind: 'localBuild', folderName: 'linux-x64' });
  });

  it('takes any local build for auto', () => {
    expect(chooseLlamaBinary('auto', { folderName: 'linux-x64-vulkan' })).toEqual({ kind: 'localBuild', folderName: 'linux-x64-vulkan' });
  });

  it('ignores a local build made for another GPU type', () => {
    expect(chooseLlamaBinary(false, { folderName: 'linux-x64-cuda' })).toEqual({ kind: 'search', gpu: false });
    expect(chooseLlamaBinary('vulkan', { folderName: 'linux-x64-cuda' })).toEqual({ kind: 'search', gpu: 'vulkan' });
    expect(chooseLlamaBinary('cuda', { folderName: 'linux-x64' })).toEqual({ kind: 'search', gpu: 'cuda' });
  });
});

describe('findLocalBuild', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });
  const llamaFolder = (lastBuild: string | undefined, binaryIn?: string) => {
    dir = mkdtempSync(path.join(tmpdir(), 'llmux-llama-'));
    if (lastBuild !== undefined) writeFileSync(path.join(dir, 'lastBuild.json'), lastBuild);
    if (binaryIn) {
      mkdirSync(path.join(dir, 'localBuilds', binaryIn, 'Release'), { recursive: true });
      writeFileSync(path.join(dir, 'localBuilds', binaryIn, 'Release', 'llama-addon.node'), '');
    }
    return dir;
  };

  it('finds the last build when its binary exists', () => {
    expect(findLocalBuild(llamaFolder('{"folderName":"linux-x64-cuda"}', 'linux-x64-cuda'))).toEqual({ folderName: 'linux-x64-cuda' });
  });

  it('finds nothing without lastBuild.json, with a broken one, or when the binary is gone', () => {
    expect(findLocalBuild(llamaFolder(undefined))).toBeUndefined();
    expect(findLocalBuild(llamaFolder('not json', 'linux-x64-cuda'))).toBeUndefined();
    expect(findLocalBuild(llamaFolder('{"folderName":"linux-x64-cuda"}'))).toBeUndefined();
    expect(findLocalBuild(llamaFolder('{"folderName":"../linux-x64-cuda"}', 'linux-x64-cuda'))).toBeUndefined();
  });

  it("reads node-llama-cpp's own llama folder by default: a build exactly when `llmux engine build` left one", () => {
    const folder = path.resolve(path.dirname(fileURLToPath(import.meta.resolve('node-llama-cpp'))), '..', 'llama');
    const lastBuild = path.join(folder, 'lastBuild.json');
    const expected = existsSync(lastBuild) ? { folderName: (JSON.parse(readFileSync(lastBuild, 'utf8')) as { folderName: string }).folderName } : undefined;
    expect(findLocalBuild()).toEqual(expected);
  });
});
