import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LlamaCompletion, type LlamaContext, type LlamaContextSequence, type LlamaModel, type Token } from 'node-llama-cpp';
import { findLocalBuild } from './llama-binary-choice.js';
import { getLlamaRuntime } from './llama-runtime.js';

// patches/node-llama-cpp@3.22.1.patch: a decode on the JavaScript thread whose every output is a greedy pick goes on
// in the same native call, decoding each pick and picking again, for up to LLMUX_GREEDY_STEPS_MS (default 4 ms). The
// tokens of those steps wait in the sequence as loaded predictions: taken one by one while the consumer goes on with
// them, erased from the state and the KV cache when it stops or takes another token.
const MODEL = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../models/stories260K.gguf');
const PROMPTS = ['Once upon a time', 'The cat sat', 'Lily went to the park'];

interface NativeContext {
  decodeBatchSync(greedyIndexes?: Int32Array, steps?: number, budgetMs?: number): Int32Array | undefined;
  getSequenceKvCacheMaxPosition(sequenceId: number): number;
}
type ContextInternals = { _ctx: NativeContext; _canSampleGreedyBatch(): boolean };
type SequenceInternals = LlamaContextSequence & { _loadedTokenPredictions: unknown[]; _sequenceId: number };

/**
 * Counts the native calls that went on for more steps, and the steps they took per output; `workerCalls`: the decodes
 * on a worker thread.
 */
function countSteps(context: LlamaContext): { calls: number; steppedCalls: number; steps: number; widest: number; workerCalls: number } {
  const counts = { calls: 0, steppedCalls: 0, steps: 0, widest: 0, workerCalls: 0 };
  const internals = context as unknown as ContextInternals;
  const native = internals._ctx;
  internals._ctx = new Proxy(native, {
    get(target, key) {
      if (key === 'decodeBatchSync')
        return (greedyIndexes?: Int32Array, ...rest: [number?, number?]) => {
          counts.calls++;
          const picks = target.decodeBatchSync(greedyIndexes, ...rest);
          if (picks && greedyIndexes && picks.length > greedyIndexes.length) {
            counts.steppedCalls++;
            counts.steps += picks.length / greedyIndexes.length - 1;
            counts.widest = Math.max(counts.widest, greedyIndexes.length);
          }
          return picks;
        };
      if (key === 'decodeBatch')
        return (...args: unknown[]) => {
          counts.workerCalls++;
          return (target as unknown as { decodeBatch(...args: unknown[]): unknown }).decodeBatch(...args);
        };
      const value = Reflect.get(target, key) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return counts;
}

/** The sequence holds exactly the tokens it reports: nothing decoded ahead is left in its state or its KV cache. */
function expectNothingLeft(context: LlamaContext, sequence: LlamaContextSequence): void {
  const internals = sequence as SequenceInternals;
  expect(internals._loadedTokenPredictions).toHaveLength(0);
  expect(sequence.contextTokens).toHaveLength(sequence.nextTokenIndex);
  expect((context as unknown as ContextInternals)._ctx.getSequenceKvCacheMaxPosition(internals._sequenceId)).toBe(sequence.nextTokenIndex - 1);
}

/** Decode costs (ms by batch size) that are all too slow for the JavaScript thread, whatever was measured. */
class SlowDecodes extends Map<number, number> {
  override set(bucket: number, ms: number): this {
    return super.set(bucket, Math.max(ms, 1_000));
  }
}

const localBuild = findLocalBuild();
// The steps are native code that only a binding compiled here has (`llmux engine build`, which CI runs first).
describe.skipIf(!localBuild)('greedy steps in one native call', () => {
  let model: LlamaModel;
  beforeAll(async () => {
    const llama = await getLlamaRuntime(false);
    expect(llama.buildType).toBe('localBuild');
    model = await llama.loadModel({ modelPath: MODEL });
  });
  afterAll(async () => {
    await model.dispose();
  });

  /** Each prompt's greedy completion on one sequence; `greedy: false` samples every token with the addon's sampler. */
  async function completions(greedy: boolean, maxTokens: number, threads = 1, onContext?: (context: LlamaContext) => void) {
    const context = await model.createContext({ contextSize: 256, sequences: 1, threads });
    if (!greedy) (context as unknown as ContextInternals)._canSampleGreedyBatch = () => false;
    onContext?.(context);
    const sequence = context.getSequence();
    const completion = new LlamaCompletion({ contextSequence: sequence });
    const texts: string[] = [];
    for (const prompt of PROMPTS) {
      texts.push(await completion.generateCompletion(prompt, { maxTokens, temperature: 0 }));
      expectNothingLeft(context, sequence);
    }
    await context.dispose();
    return texts;
  }

  it('generates a lone sequence several tokens per native call, with the tokens of sampling one by one', async () => {
    const maxTokens = 60;
    const expected = await completions(false, maxTokens);
    let counts = { calls: 0, steppedCalls: 0, steps: 0, widest: 0 };
    const texts = await completions(true, maxTokens, 1, (context) => (counts = countSteps(context)));
    expect(texts).toEqual(expected);
    expect(counts.steppedCalls).toBeGreaterThan(0);
    // a step of this model takes well under a millisecond: most tokens come from the steps
    expect(counts.steps).toBeGreaterThan(PROMPTS.length * maxTokens * 0.5);
    expect(counts.calls).toBeLessThan(PROMPTS.length * maxTokens * 0.3);
  });

  /** A fresh context's first greedy token after `tokens`. */
  async function firstToken(tokens: Token[]): Promise<Token> {
    const context = await model.createContext({ contextSize: 256, sequences: 1, threads: 1 });
    const sequence = context.getSequence();
    const next = await sequence.evaluate(tokens, { temperature: 0 }).next();
    await context.dispose();
    return next.value as Token;
  }

  it('erases the tokens decoded ahead when the consumer stops, and decodes the token it takes instead', async () => {
    const context = await model.createContext({ contextSize: 256, sequences: 1, threads: 1 });
    const counts = countSteps(context);
    const sequence = context.getSequence();
    const prompt = model.tokenize('Once upon a time');
    // warm up: the first decode of each size measures it on a worker thread
    for await (const token of sequence.evaluate(prompt, { temperature: 0 })) if (sequence.nextTokenIndex >= prompt.length + 8) break;
    await sequence.clearHistory();

    const taken: Token[] = [];
    for await (const token of sequence.evaluate(prompt, { temperature: 0 })) {
      taken.push(token);
      if (taken.length === 5) break;
    }
    expect(counts.steppedCalls).toBeGreaterThan(0);
    // the prompt and the four tokens given back to be decoded; the fifth was yielded, not decoded
    expect(sequence.contextTokens).toEqual([...prompt, ...taken.slice(0, 4)]);
    expectNothingLeft(context, sequence);

    // going on from the same state, the consumer takes another token than the one picked: the next token is that of
    // a fresh evaluation of the same tokens
    await sequence.clearHistory();
    const stepsBefore = counts.steps;
    const generator = sequence.evaluate(prompt, { temperature: 0 });
    const first = (await generator.next()).value as Token;
    const second = (await generator.next()).value as Token;
    expect(counts.steps).toBeGreaterThan(stepsBefore);
    const other = model.tokenize(' dog')[0]!;
    expect(other).not.toBe(second);
    const afterOther = (await generator.next(other)).value as Token;
    await generator.return(undefined);
    expect(sequence.contextTokens).toEqual([...prompt, first, other]);
    expectNothingLeft(context, sequence);
    expect(afterOther).toBe(await firstToken([...prompt, first, other]));
    await context.dispose();
  });

  // A consumer that will take at most N tokens says so (`_llmuxMaxTokens`, as llmux's generation loop does): the last
  // native call stops at the N-th token, where its steps would go on for up to LLMUX_GREEDY_STEPS_MS (wasted time at
  // the end of every request), and no decode runs ahead on a worker thread for a token after the N-th.
  it('decodes no token past the last one its consumer takes, in steps or ahead on a worker thread', async () => {
    const maxTokens = 5;
    const prompt = model.tokenize('Once upon a time');
    for (const where of ['steps', 'worker'] as const) {
      const context = await model.createContext({ contextSize: 256, sequences: 1, threads: 1 });
      const sequence = context.getSequence();
      // warm up: the first decode of each size measures it on a worker thread
      for await (const token of sequence.evaluate(prompt, { temperature: 0 })) if (sequence.nextTokenIndex >= prompt.length + 8) break;
      await sequence.clearHistory();
      if (where === 'worker') (context as unknown as { _decodeCosts: Map<number, number> })._decodeCosts = new SlowDecodes();
      const counts = countSteps(context);
      const taken: Token[] = [];
      for await (const token of sequence.evaluate(prompt, { temperature: 0, _llmuxMaxTokens: maxTokens } as Parameters<LlamaContextSequence['evaluate']>[1])) {
        taken.push(token);
        if (taken.length === maxTokens) break;
      }
      // one decode per token taken: the prompt's (the first token) and those of the tokens after it
      expect(counts.calls + counts.steps + counts.workerCalls).toBe(maxTokens);
      expect(where === 'steps' ? counts.steps : counts.workerCalls).toBeGreaterThan(maxTokens / 2);
      expect(sequence.contextTokens).toEqual([...prompt, ...taken.slice(0, -1)]);
      expectNothingLeft(context, sequence);
      await context.dispose();
    }
  });

  // Several sequences generating at once: a batch goes on with more steps only when every output in it is a greedy
  // pick of a sequence that goes on and no other decode waits; whatever mix of steps and plain decodes that makes, each
  // sequence gets the tokens of sampling one by one and keeps nothing it did not take.
  it('keeps the tokens of several sequences generating at once', async () => {
    const maxTokens = 40;
    const run = async (greedy: boolean) => {
      const context = await model.createContext({ contextSize: 128, sequences: 3, threads: 1 });
      if (!greedy) (context as unknown as ContextInternals)._canSampleGreedyBatch = () => false;
      const counts = countSteps(context);
      const sequences = PROMPTS.map(() => context.getSequence());
      const texts = await Promise.all(
        PROMPTS.map((prompt, i) => new LlamaCompletion({ contextSequence: sequences[i]! }).generateCompletion(prompt, { maxTokens, temperature: 0 })),
      );
      for (const sequence of sequences) expectNothingLeft(context, sequence);
      await context.dispose();
      return { texts, counts };
    };
    const reference = await run(false);
    expect(reference.counts.steppedCalls).toBe(0);
    expect((await run(true)).texts).toEqual(reference.texts);
  });
});
