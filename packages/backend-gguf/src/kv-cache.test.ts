import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ModelLoadError, type StreamPart } from '@llmux/core';
import { GgufBackend } from './gguf-backend.js';

const MODELS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../models');
const stories = { id: 'stories', format: 'gguf' as const, path: path.join(MODELS, 'stories260K.gguf') };
const brown = { id: 'brown', format: 'gguf' as const, path: path.join(MODELS, 'brown-llama-1m-Q8_0.gguf') };

describe('kvCache', () => {
  const backend = new GgufBackend();

  it('stores the KV cache as q8_0 (flash attention turned on for it) and generates', async () => {
    const options = { parallel: 4, maxQueue: 0, contextSize: 4096, flashAttention: true };
    const f16 = await backend.estimateMemory(brown, options);
    const q8 = await backend.estimateMemory(brown, { ...options, kvCache: 'q8_0' });
    // 4 layers x 4 x 4096 cells x 256 values (K and V): 32 MiB as f16, 17 MiB as q8_0 (34 bytes per 32 values).
    expect(f16.cpuBytes - q8.cpuBytes).toBeGreaterThan(14 * 2 ** 20);

    const model = await backend.load(brown, { parallel: 1, maxQueue: 0, threads: 1, kvCache: 'q8_0' });
    try {
      let text = '';
      let finish: StreamPart | undefined;
      for await (const part of await model.stream({ model: 'brown', messages: [{ role: 'user', content: 'The jury said' }], sampling: { temperature: 0 }, maxTokens: 12 })) {
        if (part.type === 'text-delta') text += part.text;
        if (part.type === 'finish') finish = part;
      }
      expect(text.length).toBeGreaterThan(0);
      expect(finish).toMatchObject({ type: 'finish', reason: 'length', usage: { completionTokens: 12 } });
    } finally {
      await model.unload();
    }
  });

  it('refuses a quantized cache with flash attention turned off, saying what to change', async () => {
    await expect(backend.load(brown, { parallel: 1, maxQueue: 0, kvCache: 'q4_0', flashAttention: false })).rejects.toThrow(
      /kvCache 'q4_0' needs flash attention/,
    );
  });

  it('refuses a quantized cache for heads narrower than a quantization block instead of crashing', async () => {
    // stories260K has 8 values per head; q8_0 stores blocks of 32.
    const attempt = backend.load(stories, { parallel: 1, maxQueue: 0, kvCache: 'q8_0' });
    await expect(attempt).rejects.toBeInstanceOf(ModelLoadError);
    await expect(attempt).rejects.toThrow(/heads have 8 \(keys\) and 8 \(values\); use kvCache 'f16'/);
  });
});
