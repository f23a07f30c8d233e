import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LlamaCompletion, type Llama, type LlamaContext, type LlamaModel } from 'node-llama-cpp';
import { getLlamaRuntime } from './llama-runtime.js';

// patches/node-llama-cpp@3.22.1.patch adds a native `sampleGreedyBatch` to the addon (built from source, e.g. for CUDA)
// and a JS path that sends every plain greedy pick of a batch to it. The prebuilt CPU binary used here lacks the
// native method, so these tests check the fallback, and the JS batching path against a stand-in for the native method
// (made of the addon's own per-sequence greedy sampler): both must produce the tokens that sampling one by one produces.
const MODEL = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../models/stories260K.gguf');

interface AddonContextInternals {
  sampleToken(batchLogitIndex: number, sampler: unknown): Promise<number>;
  sampleGreedyBatch?: (indexes: Int32Array) => Promise<Int32Array>;
}
type ContextInternals = { _ctx: AddonContextInternals; _canSampleGreedyBatch(): boolean };

describe('greedy batch sampling (node-llama-cpp patch)', () => {
  let llama: Llama;
  let model: LlamaModel;
  beforeAll(async () => {
    llama = await getLlamaRuntime(false);
    model = await llama.loadModel({ modelPath: MODEL });
  });
  afterAll(async () => {
    await model.dispose();
  });

  async function generate(context: LlamaContext): Promise<string[]> {
    const prompts = ['Once upon a time', 'The cat sat', 'Lily went to the park'];
    return Promise.all(
      prompts.map((prompt) =>
        new LlamaCompletion({ contextSequence: context.getSequence() }).generateCompletion(prompt, { maxTokens: 24, temperature: 0 }),
      ),
    );
  }

  it('falls back to per-sequence sampling when the binary has no sampleGreedyBatch', async () => {
    const context = await model.createContext({ contextSize: 128, sequences: 3, threads: 1 });
    const internals = context as unknown as ContextInternals;
    expect(typeof internals._ctx.sampleGreedyBatch).toBe('undefined');
    expect(internals._canSampleGreedyBatch()).toBe(false);
    const texts = await generate(context);
    expect(texts.every((text) => text.length > 0)).toBe(true);
    await context.dispose();
  });

  it('sends the greedy picks of one batch to one native call, with the same tokens as the fallback', async () => {
    const reference = await model.createContext({ contextSize: 128, sequences: 3, threads: 1 });
    const expected = await generate(reference);
    await reference.dispose();

    const context = await model.createContext({ contextSize: 128, sequences: 3, threads: 1 });
    const internals = context as unknown as ContextInternals;
    const bindings = (llama as unknown as { _bindings: { AddonSampler: new (model: unknown) => { applyConfig(c: object): void; dispose(): void } } })._bindings;
    const greedy = new bindings.AddonSampler((model as unknown as { _model: unknown })._model);
    greedy.applyConfig({ temperature: 0 });
    const callSizes: number[] = [];
    Object.defineProperty(internals._ctx, 'sampleGreedyBatch', {
      value: async (indexes: Int32Array) => {
        callSizes.push(indexes.length);
        const tokens = new Int32Array(indexes.length);
        for (let i = 0; i < indexes.length; i++) tokens[i] = await internals._ctx.sampleToken(indexes[i]!, greedy);
        return tokens;
      },
    });
    expect(internals._canSampleGreedyBatch()).toBe(true);
    expect(await generate(context)).toEqual(expected);
    expect(callSizes.length).toBeGreaterThan(0);
    expect(Math.max(...callSizes)).toBe(3);
    await context.dispose();
    greedy.dispose();
  });
});
