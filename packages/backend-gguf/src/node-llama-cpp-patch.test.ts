import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GeneralChatWrapper, LlamaChat, LlamaCompletion, LlamaContext, type LlamaModel } from 'node-llama-cpp';
import { getLlamaRuntime } from './llama-runtime.js';
import { promptTokens } from './prompt-tokens.js';

const MODELS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../models');

// patches/node-llama-cpp@3.22.1.patch (applied by pnpm at install): the batch loop lets every active
// sequence join the next decode step and hands the context lock over between steps when a request waits for it.
describe('the node-llama-cpp patch', () => {
  let model: LlamaModel;
  let context: LlamaContext;
  let decodes = 0;
  beforeAll(async () => {
    const llama = await getLlamaRuntime(false);
    model = await llama.loadModel({ modelPath: path.join(MODELS, 'stories260K.gguf') });
    context = await model.createContext({ contextSize: 256, sequences: 4, threads: 1, flashAttention: false });
    // Counts native decode calls: node-llama-cpp exposes no counter, so its internal binding
    // object (`_ctx`) is wrapped for this test only.
    const internal = context as unknown as { _ctx: { decodeBatch(): Promise<void> } };
    const native = internal._ctx;
    internal._ctx = new Proxy(native, {
      get(target, key) {
        if (key === 'decodeBatch') return () => (decodes++, target.decodeBatch());
        const value = Reflect.get(target, key) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  });
  afterAll(async () => {
    await context.dispose();
    await model.dispose();
  });

  it('is applied to the installed node-llama-cpp', () => {
    expect(typeof (LlamaContext.prototype as unknown as Record<string, unknown>)._canSampleGreedyBatch).toBe('function');
  });

  const completions: LlamaCompletion[] = [];
  it('decodes two concurrent sequences together: one decode per token, not two', async () => {
    const tokens = 48;
    completions.push(...[0, 1, 2, 3].map(() => new LlamaCompletion({ contextSequence: context.getSequence() })));
    decodes = 0;
    const texts = await Promise.all(
      completions.slice(0, 2).map((completion, i) => completion.generateCompletion(i === 0 ? 'Once upon a time' : 'Lily and Tom', { maxTokens: tokens, temperature: 0 })),
    );
    expect(texts.every((text) => text.length > 0)).toBe(true);
    // Unpatched node-llama-cpp 3.22 needs ~2 decodes per token here (the straggler misses each batch).
    expect(decodes).toBeLessThanOrEqual(tokens + 4);
  });

  it('adds the sequences of a step to the batch in ascending id order, whatever order they queued in', async () => {
    // llama.cpp splits a batch for per-sequence KV caches into one graph run per run of consecutive sequence ids:
    // sequences 2,3,0,1 in that order would cost two runs per token.
    const internal = context as unknown as { _ctx: { initBatch(size: number): void; addToBatch(sequenceId: number, ...rest: unknown[]): unknown } };
    const native = internal._ctx;
    const batches: number[][] = [];
    internal._ctx = new Proxy(native, {
      get(target, key) {
        if (key === 'initBatch') return (size: number) => (batches.push([]), target.initBatch(size));
        if (key === 'addToBatch') return (sequenceId: number, ...rest: unknown[]) => (batches.at(-1)!.push(sequenceId), target.addToBatch(sequenceId, ...rest));
        const value = Reflect.get(target, key) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    try {
      const order = [3, 1, 2, 0]; // start the generations in an order other than the sequences'
      await Promise.all(order.map((i) => completions[i]!.generateCompletion(`Lily number ${i}`, { maxTokens: 16, temperature: 0 })));
      const multi = batches.filter((batch) => batch.length > 1);
      expect(multi.length).toBeGreaterThan(8);
      for (const batch of multi) expect(batch).toEqual([...batch].sort((a, b) => a - b));
      expect(new Set(multi.flat()).size).toBe(4);
    } finally {
      internal._ctx = native;
    }
  });

  it('lets a request that must trim its cached tokens start while others keep generating', async () => {
    const [a, b, c, d] = completions as [LlamaCompletion, LlamaCompletion, LlamaCompletion, LlamaCompletion];
    await d.generateCompletion('Lily and Tom went to the park', { maxTokens: 4, temperature: 0 }); // d now holds other tokens
    const finished: number[] = [];
    const running = [a, b, c].map((completion) =>
      completion.generateCompletion('Once upon a time', { maxTokens: 120, temperature: 0 }).then(() => finished.push(performance.now())),
    );
    await new Promise((resolve) => setTimeout(resolve, 20)); // a, b and c are decoding together
    let firstToken = 0;
    // d's prompt differs from its cache: node-llama-cpp erases those tokens under the context lock first
    await d.generateCompletion('A cat sat', { maxTokens: 2, temperature: 0, onToken: () => (firstToken ||= performance.now()) });
    await Promise.all(running);
    expect(firstToken).toBeGreaterThan(0);
    expect(firstToken).toBeLessThan(Math.min(...finished));
  });
  // llmux tokenizes a prompt to choose a sequence and count it, then LlamaChat tokenizes the same text to evaluate it
  // (~2-5 ms for 2,500 tokens on this CPU): a long text tokenized again is taken from the model's last tokenizations.
  it('tokenizes a long prompt once for llmux and LlamaChat, handing each caller its own copy', async () => {
    const native = (model as unknown as { _model: { tokenize(text: string, ...rest: unknown[]): Uint32Array } })._model;
    const tokenize = native.tokenize;
    const story = Array.from({ length: 24 }, (_, i) => `Sentence ${i} tells of a cat and a dog in the garden.`).join(' ');
    const calls: string[] = [];
    // counts the native tokenizations (the method is read-only on the prototype: defined on the object instead)
    Object.defineProperty(native, 'tokenize', {
      configurable: true,
      value: (text: string, ...rest: unknown[]) => (calls.push(text), tokenize.call(native, text, ...rest)),
    });
    const own = await model.createContext({ contextSize: 1024, sequences: 1, threads: 1, flashAttention: false });
    try {
      const first = model.tokenize(story);
      first.push(first[0]!); // a caller's copy is its own
      expect(model.tokenize(story)).toEqual(first.slice(0, -1));
      expect(calls.filter((text) => text.includes(story))).toHaveLength(1);

      calls.length = 0;
      const wrapper = new GeneralChatWrapper();
      // as the backend does: the same history rendered and counted, then given to LlamaChat
      const history = [{ type: 'user' as const, text: `Tell me more. ${story}` }];
      const counted = promptTokens(wrapper, model, history);
      const sequence = own.getSequence();
      const chat = new LlamaChat({ contextSequence: sequence, chatWrapper: wrapper });
      await chat.generateResponse(history, { maxTokens: 1, temperature: 0 });
      expect(sequence.contextTokens.slice(0, counted.length)).toEqual(counted);
      expect(calls.filter((text) => text.includes(story))).toHaveLength(1);
    } finally {
      delete (native as { tokenize?: unknown }).tokenize;
      await own.dispose();
    }
  });
});
