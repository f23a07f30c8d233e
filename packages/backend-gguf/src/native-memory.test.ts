import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { GgufBackend } from './gguf-backend.js';
import { findLocalBuild } from './llama-binary-choice.js';
import { trimNativeMemory } from './native-memory.js';

const MODELS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../models');

describe('trimNativeMemory', () => {
  it('is false with no binding open', async () => {
    expect(await trimNativeMemory([])).toBe(false);
  });

  it("gives freed native memory back after a model's work, on the binding built with llmux's patch", async () => {
    const backend = new GgufBackend();
    const model = await backend.load({ id: 'stories', format: 'gguf', path: path.join(MODELS, 'stories260K.gguf') }, { parallel: 2, maxQueue: 0, threads: 1 });
    for await (const part of await model.stream({ model: 'stories', messages: [{ role: 'user', content: 'Once upon a time' }], sampling: { temperature: 0 }, maxTokens: 32 })) void part;
    await model.unload();
    // A prebuilt binding (LLMUX_BINDING=prebuilt, or no `llmux engine build`) has no trim: nothing is given back.
    const patched = process.env.LLMUX_BINDING !== 'prebuilt' && findLocalBuild() !== undefined;
    expect(await trimNativeMemory()).toBe(patched);
    await backend.releaseIdleMemory();
  });
});
