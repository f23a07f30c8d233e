import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '@llmux/core';
import { resolveServeConfig } from './serve-command.js';

const dir = mkdtempSync(path.join(tmpdir(), 'llmux-serve-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = { LLMUX_MODELS_DIR: '' } as NodeJS.ProcessEnv;

describe('llmux serve --gpu', () => {
  it('sets gpu on the model given by --model', async () => {
    const { config } = await resolveServeConfig({ model: path.join(dir, 'm.gguf'), gpu: 'cuda', config: writeConfig('{}') }, env);
    expect(config.models.m?.gpu).toBe('cuda');
  });

  it('accepts false, cpu and off for the CPU binding', async () => {
    for (const value of ['false', 'cpu', 'off']) {
      const { config } = await resolveServeConfig({ model: path.join(dir, 'm.gguf'), gpu: value, config: writeConfig('{}') }, env);
      expect(config.models.m?.gpu).toBe(false);
    }
  });

  it('leaves a model that names its own gpu alone', async () => {
    const file = writeConfig(JSON.stringify({ models: { a: { source: 'a.gguf', gpu: false }, b: { source: 'b.gguf' } } }));
    const { config } = await resolveServeConfig({ gpu: 'auto', config: file }, env);
    expect(config.models.a?.gpu).toBe(false);
    expect(config.models.b?.gpu).toBe('auto');
  });

  it('rejects an unknown value with the accepted ones', async () => {
    await expect(resolveServeConfig({ model: 'm.gguf', gpu: 'rocm', config: writeConfig('{}') }, env)).rejects.toThrow(ConfigError);
    await expect(resolveServeConfig({ model: 'm.gguf', gpu: 'rocm', config: writeConfig('{}') }, env)).rejects.toThrow(/auto, cuda, vulkan, metal, false/);
  });

  it('rejects an unknown gpu in the config file', async () => {
    const file = writeConfig(JSON.stringify({ models: { a: { source: 'a.gguf', gpu: 'rocm' } } }));
    await expect(resolveServeConfig({ config: file }, env)).rejects.toThrow(/gpu/);
  });
});

let count = 0;
function writeConfig(text: string): string {
  const file = path.join(dir, `llmux-${count++}.json`);
  writeFileSync(file, text);
  return file;
}
