import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContextLengthExceededError, OverloadedError, UnsupportedFeatureError, type ChatRequest, type LoadedModel, type StreamPart } from '@llmux/core';
import { GgufBackend } from './gguf-backend.js';

const MODELS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../models');
const stories = { id: 'stories', format: 'gguf' as const, path: path.join(MODELS, 'stories260K.gguf') };
const brown = { id: 'brown', format: 'gguf' as const, path: path.join(MODELS, 'brown-llama-1m-Q8_0.gguf') };

async function collect(stream: AsyncIterable<StreamPart>) {
  let text = '';
  let finish: Extract<StreamPart, { type: 'finish' }> | undefined;
  const order: string[] = [];
  for await (const part of stream) {
    order.push(part.type);
    if (part.type === 'text-delta') text += part.text;
    if (part.type === 'finish') finish = part;
  }
  return { text, finish: finish!, order };
}

const ask = (content: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({
  model: 'stories',
  messages: [{ role: 'user', content }],
  sampling: { temperature: 0 },
  ...extra,
});

describe('GgufBackend on the bundled models', () => {
  const backend = new GgufBackend();
  let model: LoadedModel;
  beforeAll(async () => {
    model = await backend.load(stories, { parallel: 2, maxQueue: 1, threads: 1 });
  });
  afterAll(async () => {
    await model.unload();
  });

  it('can load GGUF files only, and estimates memory from metadata', async () => {
    expect(await backend.canLoad(stories)).toBe(true);
    expect(await backend.canLoad({ ...stories, path: path.join(MODELS, 'missing.gguf') })).toBe(false);
    expect(await backend.canLoad({ ...stories, format: 'mlx' })).toBe(false);
    const estimate = await backend.estimateMemory(stories, { parallel: 2, maxQueue: 1 });
    expect(estimate.cpuBytes).toBeGreaterThan(1_000_000);
    expect(model.capabilities.contextLength).toBe(2048);
  });

  it('generates the same greedy text every time, with text parts before one finish', async () => {
    const first = await collect(await model.stream(ask('Once upon a time', { maxTokens: 24 })));
    const second = await collect(await model.stream(ask('Once upon a time', { maxTokens: 24 })));
    expect(first.text).toBe(', there was a little girl named Lily. She loved to play outside in the p');
    expect(second.text).toBe(first.text);
    expect(first.order.at(-1)).toBe('finish');
    expect(first.order.filter((t) => t === 'finish')).toHaveLength(1);
    expect(first.order.slice(0, -1).every((t) => t === 'text-delta')).toBe(true);
  });

  it('stops at max tokens with reason length and the exact token count', async () => {
    const { finish } = await collect(await model.stream(ask('Once upon a time', { maxTokens: 13 })));
    expect(finish.reason).toBe('length');
    expect(finish.usage.completionTokens).toBe(13);
    expect(finish.usage.promptTokens).toBe(7);
  });

  it('stops at a stop string without returning it', async () => {
    const { text, finish } = await collect(await model.stream(ask('Once upon a time', { maxTokens: 60, stop: ['park'] })));
    expect(text).toBe(', there was a little girl named Lily. She loved to play outside in the ');
    expect(finish.reason).toBe('stop');
    expect(finish.raw).toBe('customStopTrigger');
  });

  it('reuses the cached prefix of a sequence and reports it', async () => {
    const prompt = 'Once upon a time, in a big forest, there lived a';
    await collect(await model.stream(ask(prompt, { maxTokens: 4 })));
    const { finish } = await collect(await model.stream(ask(prompt, { maxTokens: 4 })));
    expect(finish.usage.cachedPromptTokens).toBe(finish.usage.promptTokens - 1);
  });

  it('ends an aborted stream with reason abort and frees its sequence', async () => {
    const controller = new AbortController();
    const stream = await model.stream(ask('Once upon a time', { maxTokens: 1500, sampling: { temperature: 1 } }), {
      signal: controller.signal,
    });
    let parts = 0;
    let finish: StreamPart | undefined;
    for await (const part of stream) {
      if (++parts === 3) controller.abort();
      if (part.type === 'finish') finish = part;
    }
    expect(finish).toMatchObject({ type: 'finish', reason: 'abort' });
    expect(model.stats().active).toBe(0);
  });

  it('queues beyond its sequences and refuses past the queue with overloaded', async () => {
    const long = () => model.stream(ask('Once upon a time', { maxTokens: 200 }));
    const running = [await long(), await long()];
    const queued = long();
    await expect(long()).rejects.toBeInstanceOf(OverloadedError);
    expect(model.stats()).toMatchObject({ active: 2, queued: 1 });
    await Promise.all(running.map(collect));
    const { finish } = await collect(await queued);
    expect(finish.reason).toBe('length');
  });

  it('refuses a prompt longer than the context and image parts, before generating', async () => {
    const huge = 'Once upon a time '.repeat(800);
    await expect(model.stream(ask(huge))).rejects.toBeInstanceOf(ContextLengthExceededError);
    await expect(
      model.stream({ ...ask(''), messages: [{ role: 'user', content: [{ type: 'image', url: 'data:,' }] }] }),
    ).rejects.toBeInstanceOf(UnsupportedFeatureError);
  });

  it("renders the model's own chat template when it has one (brown: ChatML) and stops at its end of turn", async () => {
    const chat = await backend.load(brown, { parallel: 1, maxQueue: 0 });
    try {
      const { text, finish } = await collect(await chat.stream({ ...ask('The jury said', { maxTokens: 10 }), model: 'brown' }));
      expect(text.length).toBeGreaterThan(0);
      // <|im_start|>user\nThe jury said<|im_end|>\n<|im_start|>assistant\n
      expect(finish.usage.promptTokens).toBeGreaterThan(8);
      // The model ends its turn with <|im_end|>: reason stop, and the end token is not counted.
      const ended = await collect(await chat.stream({ ...ask('What is the news?', { maxTokens: 48 }), model: 'brown' }));
      expect(ended.text).toBe('There is the purposed to the clear.');
      expect(ended.finish).toMatchObject({ reason: 'stop', raw: 'eogToken', usage: { completionTokens: 15 } });
    } finally {
      await chat.unload();
      await chat.unload();
    }
  });
});
