import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getLlama, LlamaChat, LlamaCompletion, LlamaLogLevel, type Llama, type LlamaContext, type LlamaContextSequence, type LlamaModel } from 'node-llama-cpp';
import { findLocalBuild } from './llama-binary-choice.js';
import { getLlamaRuntime } from './llama-runtime.js';

// patches/node-llama-cpp@3.22.1.patch adds greedy picks to the addon, active in bindings compiled on the machine
// (`llmux engine build`): a decode step picks the argmax token of the outputs whose sequences sampled greedily last
// time (no second native call per token), and `sampleGreedyBatch` picks the rest of a batch in one call. Prebuilt
// binaries lack both; the JS then samples sequence by sequence. Either way the tokens must be those of sampling one
// by one with the addon's own greedy sampler.
const MODEL = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../models/stories260K.gguf');
const PROMPTS = ['Once upon a time', 'The cat sat', 'Lily went to the park'];

interface AddonContextInternals {
  decodeBatch(greedyIndexes?: Int32Array): Promise<Int32Array | undefined>;
  decodeBatchSync?: (greedyIndexes?: Int32Array) => Int32Array | undefined;
  getSequenceKvCacheMaxPosition(sequenceId: number): number;
  sampleToken(batchLogitIndex: number, sampler: unknown): Promise<number>;
  sampleGreedyBatch?: (indexes: Int32Array) => Promise<Int32Array>;
}
type ContextInternals = { _ctx: AddonContextInternals; _canSampleGreedyBatch(): boolean; _syncDecodeMaxSequences(): number };

type SequenceInternals = LlamaContextSequence & { _loadedTokenPredictions: unknown[]; _takenGreedyRunAheads?: number; _sequenceId: number };

async function generate(context: LlamaContext, maxTokens = 24, sequences: LlamaContextSequence[] = []): Promise<string[]> {
  return Promise.all(
    PROMPTS.map((prompt) => {
      const sequence = context.getSequence();
      sequences.push(sequence);
      return new LlamaCompletion({ contextSequence: sequence }).generateCompletion(prompt, { maxTokens, temperature: 0 });
    }),
  );
}

/**
 * A sequence that decoded a greedy pick ahead of its consumer (several sequences in a step) took it, and once the
 * generation stopped, the token decoded ahead and not taken is gone from the state and from the KV cache.
 */
function expectDecodedAheadAndNothingLeft(context: LlamaContext, sequences: LlamaContextSequence[]): void {
  const native = (context as unknown as ContextInternals)._ctx;
  for (const sequence of sequences as SequenceInternals[]) {
    expect(sequence._takenGreedyRunAheads ?? 0).toBeGreaterThan(10);
    expect(sequence._loadedTokenPredictions).toHaveLength(0);
    expect(sequence.contextTokens).toHaveLength(sequence.nextTokenIndex);
    expect(native.getSequenceKvCacheMaxPosition(sequence._sequenceId)).toBe(sequence.nextTokenIndex - 1);
  }
}

/** Keeps this thread busy for `ms` (a decode that takes longer). */
function slowly(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

/** Decode costs (ms by batch size) that are all quick, whatever was measured. */
class QuickDecodes extends Map<number, number> {
  override set(bucket: number, ms: number): this {
    return super.set(bucket, Math.min(ms, 1));
  }
}

/** Replaces some methods of a context's native addon object; each override is made from the real object. */
function wrapNative(context: LlamaContext, overrides: { [K in keyof AddonContextInternals]?: (target: AddonContextInternals) => unknown }): void {
  const internals = context as unknown as ContextInternals;
  internals._ctx = new Proxy(internals._ctx, {
    get(target, key) {
      const override = overrides[key as keyof AddonContextInternals];
      if (override) return override(target);
      const value = Reflect.get(target, key) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** The same generation with the greedy paths turned off: every token from the addon's per-sequence sampler. */
async function referenceTexts(model: LlamaModel, maxTokens = 24): Promise<string[]> {
  const context = await model.createContext({ contextSize: 128, sequences: 3, threads: 1 });
  (context as unknown as ContextInternals)._canSampleGreedyBatch = () => false;
  try {
    return await generate(context, maxTokens);
  } finally {
    await context.dispose();
  }
}

describe('greedy picks with the prebuilt binary (no native greedy methods)', () => {
  let llama: Llama;
  let model: LlamaModel;
  beforeAll(async () => {
    llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
    model = await llama.loadModel({ modelPath: MODEL });
  });
  afterAll(async () => {
    await model.dispose();
  });

  it('falls back to per-sequence sampling', async () => {
    expect(llama.buildType).toBe('prebuilt');
    const context = await model.createContext({ contextSize: 128, sequences: 3, threads: 1 });
    const internals = context as unknown as ContextInternals;
    expect(typeof internals._ctx.sampleGreedyBatch).toBe('undefined');
    expect(internals._canSampleGreedyBatch()).toBe(false);
    const sequences: LlamaContextSequence[] = [];
    expect(await generate(context, 24, sequences)).toEqual(await referenceTexts(model));
    expectDecodedAheadAndNothingLeft(context, sequences);
    await context.dispose();
  });

  it('sends the greedy picks of one batch to one call, with the same tokens as the fallback', async () => {
    const expected = await referenceTexts(model);
    const context = await model.createContext({ contextSize: 128, sequences: 3, threads: 1 });
    const internals = context as unknown as ContextInternals;
    const bindings = (llama as unknown as { _bindings: { AddonSampler: new (model: unknown) => { applyConfig(c: object): void; dispose(): void } } })._bindings;
    const greedy = new bindings.AddonSampler((model as unknown as { _model: unknown })._model);
    greedy.applyConfig({ temperature: 0 });
    const callSizes: number[] = [];
    // a stand-in for the native method, made of the addon's own per-sequence greedy sampler
    Object.defineProperty(internals._ctx, 'sampleGreedyBatch', {
      value: async (indexes: Int32Array) => {
        callSizes.push(indexes.length);
        const tokens = new Int32Array(indexes.length);
        for (let i = 0; i < indexes.length; i++) tokens[i] = await internals._ctx.sampleToken(indexes[i]!, greedy);
        return tokens;
      },
    });
    expect(internals._canSampleGreedyBatch()).toBe(true);
    // the prebuilt decodeBatch ignores the greedy indexes it is given: every pick goes through sampleGreedyBatch
    expect(await generate(context)).toEqual(expected);
    expect(callSizes.length).toBeGreaterThan(0);
    expect(Math.max(...callSizes)).toBe(3);
    await context.dispose();
    greedy.dispose();
  });
});

const localBuild = findLocalBuild();
// A binding compiled here exists only after `llmux engine build` (CI runs it before the tests); without one there
// is no native code to test, and the block above covers the JS paths.
describe.skipIf(!localBuild)('greedy picks with a binding built on this machine', () => {
  let model: LlamaModel;
  beforeAll(async () => {
    const llama = await getLlamaRuntime(false);
    expect(llama.buildType).toBe('localBuild');
    model = await llama.loadModel({ modelPath: MODEL });
  });
  afterAll(async () => {
    await model.dispose();
  });

  it('picks greedy tokens inside the decode step, with the tokens of per-sequence sampling', async () => {
    const maxTokens = 40;
    const expected = await referenceTexts(model, maxTokens);
    const context = await model.createContext({ contextSize: 128, sequences: 3, threads: 1 });
    const internals = context as unknown as ContextInternals;
    expect(internals._canSampleGreedyBatch()).toBe(true);
    let decodes = 0;
    let decodesWithPicks = 0;
    let batchSamples = 0;
    wrapNative(context, {
      // every decode on a worker thread, where sequences decode ahead (on a machine with no core to spare for one,
      // several sequences decode on the JavaScript thread: see the next tests)
      decodeBatchSync: () => undefined,
      decodeBatch: (target) => async (greedyIndexes?: Int32Array) => {
        decodes++;
        const picks = await target.decodeBatch(greedyIndexes);
        if (greedyIndexes) {
          expect(picks).toBeInstanceOf(Int32Array);
          expect(picks!.length).toBe(greedyIndexes.length);
          decodesWithPicks++;
        }
        return picks;
      },
      sampleGreedyBatch: (target) => (indexes: Int32Array) => (batchSamples++, target.sampleGreedyBatch!(indexes)),
    });
    const sequences: LlamaContextSequence[] = [];
    expect(await generate(context, maxTokens, sequences)).toEqual(expected);
    // the first token of each prompt goes through sampleGreedyBatch; after that each decode picks the tokens itself
    expect(decodesWithPicks).toBeGreaterThan(decodes * 0.8);
    expect(batchSamples).toBeLessThanOrEqual(PROMPTS.length);
    expectDecodedAheadAndNothingLeft(context, sequences);
    await context.dispose();
  });

  // On the CPU, a worker thread for the decode needs a core besides the compute threads and the JavaScript thread;
  // without one, a batch of any number of sequences decodes on the JavaScript thread.
  it('decodes several sequences on the JavaScript thread when no core is left for a worker thread', async () => {
    const cores = os.availableParallelism();
    const oneThread = await model.createContext({ contextSize: 128, sequences: 3, threads: 1 });
    expect((oneThread as unknown as ContextInternals)._syncDecodeMaxSequences()).toBe(cores >= 3 ? 1 : Infinity);
    await oneThread.dispose();
    const context = await model.createContext({ contextSize: 128, sequences: 3, threads: cores });
    expect((context as unknown as ContextInternals)._syncDecodeMaxSequences()).toBe(Infinity);
    // A step also needs its size's measured decodes to be quick (LLMUX_SYNC_DECODE_MS): on a machine busy with other
    // test files they are not (one three-sequence step of 40 here once, under load). This test is about the number
    // of sequences, so every decode counts as quick.
    (context as unknown as { _decodeCosts: Map<number, number> })._decodeCosts = new QuickDecodes();
    let batchesOfThree = 0;
    wrapNative(context, {
      decodeBatchSync: (target) => (indexes?: Int32Array) => {
        if (indexes?.length === 3) batchesOfThree++;
        return target.decodeBatchSync!(indexes);
      },
    });
    const maxTokens = 40;
    expect(await generate(context, maxTokens)).toEqual(await referenceTexts(model, maxTokens));
    // the first step of each batch size measures it on a worker thread; three-sequence steps run here after that
    expect(batchesOfThree).toBeGreaterThan(maxTokens / 2);
    await context.dispose();
  });

  // A step of one sequence on a small model takes less time than the hand-over to a worker thread and back: it runs on
  // the JavaScript thread (decodeBatchSync), with the tokens of the decode on a worker thread.
  it('decodes a lone sequence of a small model on the JavaScript thread, with the same tokens', async () => {
    const texts = async (allowSync: boolean) => {
      const context = await model.createContext({ contextSize: 128, sequences: 1, threads: 1 });
      const calls = { sync: 0, async: 0 };
      wrapNative(context, {
        decodeBatchSync: (target) => (allowSync ? (indexes?: Int32Array) => (calls.sync++, target.decodeBatchSync!(indexes)) : undefined),
        decodeBatch: (target) => (indexes?: Int32Array) => (calls.async++, target.decodeBatch(indexes)),
      });
      const sequence = context.getSequence();
      const completion = new LlamaCompletion({ contextSequence: sequence });
      const out: string[] = [];
      for (const prompt of PROMPTS) {
        out.push(await completion.generateCompletion(prompt, { maxTokens: 40, temperature: 0 }));
        expect(sequence.contextTokens).toHaveLength(sequence.nextTokenIndex);
      }
      await context.dispose();
      return { out, calls };
    };
    const onWorker = await texts(false);
    const onThisThread = await texts(true);
    expect(onThisThread.out).toEqual(onWorker.out);
    expect(onWorker.calls.sync).toBe(0);
    // the first decode of each batch size goes to a worker thread and measures it; the rest stay on this thread
    expect(onThisThread.calls.sync).toBeGreaterThan(onThisThread.calls.async * 5);
  });

  /**
   * A one-sequence context whose decodes are recorded ('decode' in `events`, the thread in `paths`), its LlamaChat (as
   * the server drives it) after one generation that measured the decodes, and a prompt longer than any before: its
   * decode goes to a worker thread (no measure of that size yet), the steps after it to this thread. `syncDelayMs`
   * makes each decode on this thread take that much longer (a bigger model).
   */
  async function loneSequenceAfterWarmUp(syncDelayMs = 0) {
    const context = await model.createContext({ contextSize: 128, sequences: 1, threads: 1 });
    const events: string[] = [];
    const paths: string[] = [];
    wrapNative(context, {
      decodeBatchSync: (target) => (indexes?: Int32Array) => {
        events.push('decode');
        paths.push('sync');
        if (syncDelayMs > 0) slowly(syncDelayMs);
        return target.decodeBatchSync!(indexes);
      },
      decodeBatch: (target) => (indexes?: Int32Array) => (events.push('decode'), paths.push('worker'), target.decodeBatch(indexes)),
    });
    const sequence = context.getSequence();
    const chat = new LlamaChat({ contextSequence: sequence });
    await chat.generateResponse([{ type: 'user', text: 'The cat sat' }], { maxTokens: 4, temperature: 0 }); // measures the decodes
    await sequence.clearHistory();
    events.length = 0;
    paths.length = 0;
    const prompt = Array.from({ length: 8 }, () => 'Once upon a time there was a cat.').join(' ');
    return { context, chat, events, paths, prompt };
  }

  // A lone sequence whose next step would decode on the JavaScript thread does not decode ahead: that decode would run
  // before the consumer had seen the token it just got (one whole step added to the time to first token).
  it('hands each token of a lone sequence to its consumer before the next decode', async () => {
    const { context, chat, events, paths, prompt } = await loneSequenceAfterWarmUp();
    await chat.generateResponse([{ type: 'user', text: prompt }], { maxTokens: 6, temperature: 0, onToken: () => events.push('token') });
    // the prompt's decode, then its token; never two decodes without a token between them
    expect(events.slice(0, 2)).toEqual(['decode', 'token']);
    expect(events.join(' ')).not.toMatch(/decode decode/);
    expect(events.filter((event) => event === 'decode').length).toBeGreaterThan(3);
    expect(paths[0]).toBe('worker');
    expect(paths.slice(1)).not.toContain('worker');
    await context.dispose();
  });

  // Between a step and the next one on the JavaScript thread the event loop turns when the steps take longer than
  // 2 ms (a model bigger than this one): a token then reaches a consumer several promise hops away (as the server's
  // path from LlamaChat to the HTTP response is) before the next step blocks the thread; the step after a decode on a
  // worker thread too (it held the first token back by one whole step).
  it('delivers each token past promise hops before a slow next step on the JavaScript thread', async () => {
    const { context, chat, events, paths, prompt } = await loneSequenceAfterWarmUp(3);
    const deliver = async () => {
      for (let hop = 0; hop < 50; hop++) await undefined;
      events.push('delivered');
    };
    await chat.generateResponse([{ type: 'user', text: prompt }], {
      maxTokens: 6,
      temperature: 0,
      onToken: () => {
        events.push('token');
        void deliver();
      },
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(paths[0]).toBe('worker');
    expect(paths.slice(1)).not.toContain('worker');
    expect(events.filter((event) => event === 'token').length).toBeGreaterThan(3);
    expect(events.join(' ')).not.toMatch(/token decode/);
    expect(events.filter((event) => event === 'delivered')).toHaveLength(events.filter((event) => event === 'token').length);
    await context.dispose();
  });

  it('leaves tokens that are not greedy to the sampler', async () => {
    const context = await model.createContext({ contextSize: 128, sequences: 1, threads: 1 });
    const completion = new LlamaCompletion({ contextSequence: context.getSequence() });
    await completion.generateCompletion('Once upon a time', { maxTokens: 8, temperature: 0 }); // the sequence now hints greedy
    const texts = new Set<string>();
    for (let seed = 1; seed <= 4; seed++)
      texts.add(await completion.generateCompletion('Once upon a time', { maxTokens: 24, temperature: 1.5, seed }));
    expect(texts.size).toBeGreaterThan(1);
    await context.dispose();
  });
});
