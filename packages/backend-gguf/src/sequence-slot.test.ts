import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Token } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatMessage, LoadedModel, StreamPart, Usage } from '@llmux/core';
import { GgufBackend } from './gguf-backend.js';
import { chooseSlotFor, type SequenceSlot } from './sequence-slot.js';

const MODELS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../models');
const stories = { id: 'stories', format: 'gguf' as const, path: path.join(MODELS, 'stories260K.gguf') };

async function usageOf(model: LoadedModel, messages: ChatMessage[]): Promise<Usage> {
  let usage: Usage | undefined;
  for await (const part of await model.stream({ model: 'stories', messages, sampling: { temperature: 0 }, maxTokens: 8 })) {
    if ((part as StreamPart).type === 'finish') usage = (part as Extract<StreamPart, { type: 'finish' }>).usage;
  }
  return usage!;
}

describe('prefix reuse across sequences', () => {
  let model: LoadedModel;
  beforeAll(async () => {
    model = await new GgufBackend().load(stories, { parallel: 3, maxQueue: 4, threads: 1, contextSize: 1024 });
  });
  afterAll(async () => {
    await model.unload();
  });

  it('gives a follow-up turn the sequence holding its conversation, even after other requests', async () => {
    const story = Array.from({ length: 60 }, (_, i) => ['the', 'dog', 'ran', 'to', 'a', 'big', 'tree'][i % 7]).join(' ');
    const turn1: ChatMessage[] = [
      { role: 'system', content: story },
      { role: 'user', content: 'What did the dog do?' },
    ];
    const first = await usageOf(model, turn1);
    expect(first.promptTokens).toBeGreaterThan(60);

    // Short unrelated prompts share only the BOS token with the cached conversation: they must take
    // the empty sequences, not throw the conversation's cache away.
    const other = await usageOf(model, [{ role: 'user', content: 'Once upon a time' }]);
    expect(other.cachedPromptTokens).toBeLessThanOrEqual(1);
    await usageOf(model, [{ role: 'user', content: 'Lily had a red ball' }]);

    const second = await usageOf(model, [...turn1, { role: 'assistant', content: 'It ran.' }, { role: 'user', content: 'And then?' }]);
    expect(second.cachedPromptTokens).toBeGreaterThanOrEqual(first.promptTokens - 1);
    expect(second.promptTokens).toBeGreaterThan(first.promptTokens);
  });

  it('gives up the least recently used conversation when every sequence holds one', async () => {
    const ask = (n: number): ChatMessage[] => [{ role: 'user', content: `Tom counted ${n} stars in the sky and ${n} birds` }];
    // Three fresh conversations fill the three sequences (the oldest one is the first).
    for (const n of [11, 22, 33]) await usageOf(model, ask(n));
    // A new conversation takes the least recently used sequence...
    await usageOf(model, [{ role: 'user', content: 'A cat sat on a mat' }]);
    // ...so the two most recent ones still find their prefix.
    expect((await usageOf(model, ask(33))).cachedPromptTokens).toBeGreaterThan(5);
    expect((await usageOf(model, ask(22))).cachedPromptTokens).toBeGreaterThan(5);
  });
});

describe('chooseSlotFor without a prefix worth its place', () => {
  // Slots as the chooser sees them: the tokens each sequence holds, and when it was last leased.
  const slotsHolding = (tokens: number[][]) =>
    tokens.map((contextTokens, index) => ({ sequence: { contextTokens }, chat: undefined, lastUsed: index + 1 }) as unknown as SequenceSlot);
  const prompt = [900, 901, 902] as Token[];

  it('takes the slot next to the sequences that generate, so that a step stays one run of consecutive sequence ids', () => {
    const all = slotsHolding([[5, 6], [7, 8], [], [9, 9], [3, 3], [], [4, 4], [2, 2]]);
    // 3 and 4 generate: 2 (empty) and 5 (empty) are next to them; 0, the least recently used, is not
    const free = all.filter((_, index) => index !== 3 && index !== 4);
    expect([2, 5]).toContain(all.indexOf(chooseSlotFor(prompt, all)(free)));
    // 3, 4 and 6 generate: 5 joins them into one run
    const free2 = all.filter((_, index) => ![3, 4, 6].includes(index));
    expect(all.indexOf(chooseSlotFor(prompt, all)(free2))).toBe(5);
    // next to the one that generates, a slot that holds a conversation is taken before an empty slot elsewhere
    const full = slotsHolding([[5, 6], [7, 8], [], [9, 9], [3, 3], [4, 4], [], [2, 2]]);
    expect([3, 5]).toContain(full.indexOf(chooseSlotFor(prompt, full)(full.filter((_, index) => index !== 4))));
  });

  // One-off prompts that begin alike (a greeting, a template's header) share a few tokens with many slots: reusing
  // them saves their evaluation once, a slot apart costs one more run of the model on every step of the generation.
  it('passes over a slot apart from those generating for a short prefix, not for a long one', () => {
    const start = Array.from({ length: 10 }, (_, i) => 100 + i) as Token[];
    const asked = [...start, 900, 901] as Token[];
    // slot 0 holds the prompt's 10 first tokens (then another answer); 3 and 4 generate; 5 is empty, next to them
    const all = slotsHolding([[...start, 7, 7, 7], [7, 8], [7, 9], [9, 9], [3, 3], [], [4, 4], [2, 2]]);
    const free = all.filter((_, index) => index !== 3 && index !== 4);
    expect(all.indexOf(chooseSlotFor(asked, all)(free))).toBe(5);
    // a conversation of 40 tokens comes back: its slot is taken wherever it is
    const history = Array.from({ length: 40 }, (_, i) => 200 + i) as Token[];
    const conversation = slotsHolding([[...history, 7], [7, 8], [7, 9], [9, 9], [3, 3], [], [4, 4], [2, 2]]);
    expect(conversation.indexOf(chooseSlotFor([...history, 900] as Token[], conversation)(conversation.filter((_, index) => index !== 3 && index !== 4)))).toBe(0);
    // and a short prefix next to the sequences that generate is taken as before
    const near = slotsHolding([[7, 7], [7, 8], [...start, 7, 7, 7], [9, 9], [3, 3], [], [4, 4], [2, 2]]);
    expect(near.indexOf(chooseSlotFor(asked, near)(near.filter((_, index) => index !== 3 && index !== 4)))).toBe(2);
  });

  it('takes an empty slot, else the least recently used one, when none generates', () => {
    const all = slotsHolding([[5, 6], [7, 8], [], [9, 9]]);
    expect(all.indexOf(chooseSlotFor(prompt, all)(all))).toBe(2);
    const full = slotsHolding([[5, 6], [7, 8], [9, 9]]);
    full[0]!.lastUsed = 10;
    expect(full.indexOf(chooseSlotFor(prompt, full)(full))).toBe(1);
  });
});
