import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { getLlama, LlamaLogLevel, type LlamaContext, type LlamaContextSequence, type LlamaModel, type Token } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger, type ChatRequest, type LoadedModel, type StreamPart } from '@llmux/core';
import { GgufBackend } from './gguf-backend.js';
import { PromptCache } from './prompt-cache.js';
import { PromptCacheCosts } from './prompt-cache-costs.js';

const MODELS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../models');
const stories = { id: 'stories', format: 'gguf' as const, path: path.join(MODELS, 'stories260K.gguf') };

const conversationA = 'Once upon a time there was a little dog who liked to run in the park. '.repeat(12);
const conversationB = 'Lily and Tom went to the beach to play with a big red ball all day. '.repeat(12);

async function answer(model: LoadedModel, content: string) {
  const request: ChatRequest = { model: 'stories', messages: [{ role: 'user', content }], sampling: { temperature: 0 }, maxTokens: 8 };
  let text = '';
  let finish: Extract<StreamPart, { type: 'finish' }> | undefined;
  for await (const part of await model.stream(request)) {
    if (part.type === 'text-delta') text += part.text;
    if (part.type === 'finish') finish = part;
  }
  return { text, usage: finish!.usage };
}

// This process's folders only: other test files, in other processes, load models at the same time.
const cacheFolders = () => readdirSync(os.tmpdir()).filter((name) => name.startsWith(`llmux-prompt-cache-${process.pid}-`));

describe('the prompt cache on a model with one sequence and two conversations taking turns', () => {
  const backend = new GgufBackend();
  let cached: LoadedModel;
  let uncached: LoadedModel;
  beforeAll(async () => {
    cached = await backend.load(stories, { parallel: 1, maxQueue: 1, threads: 1 });
    uncached = await backend.load(stories, { parallel: 1, maxQueue: 1, threads: 1, promptCache: 0 });
  });
  afterAll(async () => {
    await Promise.all([cached?.unload(), uncached?.unload()]);
  });

  it('brings a conversation back with its whole prefix, and answers as a fresh evaluation does', async () => {
    const before = new Set(cacheFolders());
    const fresh = [await answer(uncached, conversationA), await answer(uncached, conversationB), await answer(uncached, conversationA)];
    // Without the cache, B took the sequence and A starts over.
    expect(fresh[2]!.usage.cachedPromptTokens).toBeLessThanOrEqual(1);

    const turns = [await answer(cached, conversationA), await answer(cached, conversationB), await answer(cached, conversationA), await answer(cached, conversationB)];
    expect(turns[0]!.usage.cachedPromptTokens).toBeLessThanOrEqual(1);
    // A's state was saved when B took the sequence, and loaded back for A (all but the last prompt token,
    // which is always evaluated), and so was B's.
    expect(turns[2]!.usage.cachedPromptTokens).toBe(turns[2]!.usage.promptTokens - 1);
    expect(turns[3]!.usage.cachedPromptTokens).toBe(turns[3]!.usage.promptTokens - 1);
    expect(turns.map((turn) => turn.text)).toEqual([fresh[0]!.text, fresh[1]!.text, fresh[0]!.text, fresh[1]!.text]);
    // The states live in one private folder while the model is loaded.
    expect(cacheFolders().filter((name) => !before.has(name))).toHaveLength(1);
  });

  it("removes the folder of a killed llmux process (its process id no longer runs) when it makes its own", async () => {
    const ended = spawnSync(process.execPath, ['-e', '']).pid;
    const orphan = path.join(os.tmpdir(), `llmux-prompt-cache-${ended}-orphan`);
    mkdirSync(orphan, { recursive: true });
    writeFileSync(path.join(orphan, '1.state'), 'state');
    const alive = path.join(os.tmpdir(), `llmux-prompt-cache-${process.ppid}-alive`);
    mkdirSync(alive, { recursive: true });
    const model = await backend.load(stories, { parallel: 1, maxQueue: 1, threads: 1 });
    try {
      await answer(model, conversationA);
      await answer(model, conversationB);
      expect(existsSync(orphan)).toBe(false);
      expect(existsSync(alive)).toBe(true);
    } finally {
      await model.unload();
      rmSync(alive, { recursive: true, force: true });
    }
  });

  it('removes its folder when the model is unloaded', async () => {
    const model = await backend.load(stories, { parallel: 1, maxQueue: 1, threads: 1 });
    const before = new Set(cacheFolders());
    await answer(model, conversationA);
    await answer(model, conversationB);
    const made = cacheFolders().filter((name) => !before.has(name));
    expect(made).toHaveLength(1);
    await model.unload();
    expect(existsSync(path.join(os.tmpdir(), made[0]!))).toBe(false);
  });
});

describe('PromptCache on a real sequence', () => {
  let model: LlamaModel;
  let context: LlamaContext;
  beforeAll(async () => {
    const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
    model = await llama.loadModel({ modelPath: stories.path });
    context = await model.createContext({ contextSize: 1024, sequences: 3, threads: 1 });
  });
  afterAll(async () => {
    await context?.dispose();
    await model?.dispose();
  });
  /** What a request does with a leased sequence: the cache prepares it, then the prompt is evaluated on it. */
  const evaluate = async (cache: PromptCache, sequence: LlamaContextSequence, prompt: Token[], othersActive = 0) => {
    await cache.prepare(sequence, prompt, othersActive);
    await sequence.adaptStateToTokens(prompt, false);
    await sequence.evaluateWithoutGeneratingNewTokens(prompt.slice(sequence.nextTokenIndex));
  };

  it('keeps at most its size in states, dropping the least recently used, and supersedes a state by its continuation', async () => {
    const sequence = context.getSequence();
    const texts = ['A dog ran in the park and', 'The sun was hot and the sea', 'Tom had a red ball that'].map((text) => `${text} `.repeat(10));
    // Room for about two states of this size.
    const probe = new PromptCache(64 * 1024 * 1024, silentLogger(), 'stories');
    const take = (cache: PromptCache, text: string | Token[]) => evaluate(cache, sequence, typeof text === 'string' ? model.tokenize(text) : text);
    await take(probe, texts[0]!);
    await take(probe, texts[1]!);
    const oneState = probe.stats().bytes;
    expect(probe.stats().states).toBe(1);
    await probe.clear();

    const cache = new PromptCache(Math.floor(oneState * 2.5), silentLogger(), 'stories');
    await take(cache, texts[0]!);
    for (const text of [texts[1]!, texts[2]!, texts[0]!]) await take(cache, text);
    // Three states were saved (0, 1, 2); the budget holds two: the oldest, 0, went first.
    expect(cache.stats().states).toBe(2);
    expect(cache.stats().bytes).toBeLessThanOrEqual(Math.floor(oneState * 2.5));

    await cache.clear();
    expect(cache.stats().states).toBe(0);

    // A state that continues a saved one replaces it instead of adding to it.
    const roomy = new PromptCache(64 * 1024 * 1024, silentLogger(), 'stories');
    await take(roomy, texts[0]!);
    await take(roomy, texts[1]!);
    expect(roomy.stats().states).toBe(1);
    await take(roomy, texts[0]!); // texts[0]'s state comes back; texts[1]'s is saved
    expect(roomy.stats().states).toBe(2);
    await take(roomy, [...model.tokenize(texts[0]!), ...model.tokenize(texts[2]!)]); // the sequence's tokens go on: nothing is erased, nothing saved
    expect(roomy.stats().states).toBe(2);
    await take(roomy, texts[1]!); // texts[0] + texts[2] is saved and supersedes texts[0]'s state
    expect(roomy.stats().states).toBe(2);
    await roomy.clear();
  });

  it('brings back a shared prefix (a system prompt) for a request that arrives with seven others', async () => {
    const [first, second] = [context.getSequence(), context.getSequence()];
    const system = model.tokenize('You are a kind teller of short stories for small children. '.repeat(8));
    const ask = (text: string) => [...system, ...model.tokenize(text)];
    const cache = new PromptCache(64 * 1024 * 1024, silentLogger(), 'stories');
    // A model that evaluates a prompt token in 0.1 ms and saves or loads a small state in 1 ms (1.5 ms a MiB).
    const measure = () => {
      for (let i = 0; i < 20; i++) {
        cache.costs.notePrefill(100, 10);
        cache.costs.noteState(100 * 1024, 100, 1);
        cache.costs.noteState(1024 * 1024, 1000, 1.5);
      }
    };
    for (let i = 0; i < 20; i++) cache.costs.notePrefill(100, 500); // dear tokens, so that the first state is saved
    await evaluate(cache, first, ask('Tell me a long story about a brown dog who liked to dig in the garden.'));
    await evaluate(cache, first, ask('Tell me about a cat and a red ball.')); // the dog's conversation is saved
    expect(cache.stats().states).toBe(1);
    measure(); // and whatever the save took on this machine
    // The second sequence holds nothing of it. Evaluating the system prompt there (~27 ms) would lengthen the seven
    // others' batches by as long; loading it makes them wait once, for a millisecond.
    // (The rule for saves, 8 times for each of seven others, would not load it.)
    expect(cache.costs.evalMs(system.length)).toBeLessThan(64 * cache.costs.stateMs({ bytes: 100 * 1024 }));
    const prompt = ask('Tell me about a fish.');
    await cache.prepare(second, prompt, 7);
    expect(second.contextTokens.length).toBeGreaterThanOrEqual(system.length);
    expect(second.contextTokens.slice(0, system.length)).toEqual(system);
    await cache.clear();
  });
});

describe('PromptCacheCosts', () => {
  it('brings back a state only when evaluating its tokens would take longer, by what it measured', () => {
    const costs = new PromptCacheCosts();
    // A tiny model: 0.05 ms per prompt token; a state of 100 KiB takes 0.4 ms to save or load.
    for (let i = 0; i < 20; i++) {
      costs.notePrefill(100, 5);
      costs.noteState(100 * 1024, 100, 0.4);
    }
    expect(costs.evalMs(3)).toBeLessThan(costs.stateMs({ bytes: 100 * 1024 }));
    expect(costs.evalMs(100)).toBeGreaterThan(2 * costs.stateMs({ bytes: 100 * 1024 }));
    // Sizes are learnt per token from the states saved.
    expect(costs.stateMs({ tokens: 100 })).toBeCloseTo(costs.stateMs({ bytes: 100 * 1024 }), 5);
    // A larger model on the same disk: 20 ms per token makes even two tokens worth a 4 MiB state.
    const large = new PromptCacheCosts();
    for (let i = 0; i < 20; i++) {
      large.notePrefill(50, 1000);
      large.noteState(4 * 1024 * 1024, 100, 3);
    }
    expect(large.evalMs(2)).toBeGreaterThan(2 * large.stateMs({ bytes: 4 * 1024 * 1024 }));
  });
});
