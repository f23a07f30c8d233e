import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatRequest, LoadedModel, StreamPart } from '@llmux/core';
import { GgufBackend } from './gguf-backend.js';

const MODELS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../models');
const BATCH = 16;

async function finishOf(stream: AsyncIterable<StreamPart>) {
  let finish: Extract<StreamPart, { type: 'finish' }> | undefined;
  for await (const part of stream) if (part.type === 'finish') finish = part;
  return finish!;
}

/** Starts a request and aborts it `afterMs` after the backend accepted it (0: at once). */
async function abortedAfter(model: LoadedModel, request: ChatRequest, afterMs: number) {
  const controller = new AbortController();
  const stream = await model.stream(request, { signal: controller.signal });
  if (afterMs === 0) controller.abort();
  else setTimeout(() => controller.abort(), afterMs);
  return finishOf(stream);
}

// Small batches, so that a prompt of a few hundred tokens is evaluated in many of them.
describe.each([
  {
    path: 'the token loop (a chat without tools)',
    file: 'stories260K.gguf',
    extra: {},
  },
  {
    path: 'LlamaChat (a chat with tools)',
    file: 'brown-llama-1m-Q8_0.gguf',
    extra: {
      tools: [{ name: 'get_weather', description: 'The weather', parameters: { type: 'object', properties: { city: { enum: ['Paris', 'London'] } } } }],
      toolChoice: 'auto' as const,
    },
  },
])('a request aborted while its prompt is evaluated, on $path', ({ file, extra }) => {
  const backend = new GgufBackend();
  let model: LoadedModel;
  beforeAll(async () => {
    model = await backend.load({ id: 'm', format: 'gguf', path: path.join(MODELS, file) }, { parallel: 1, maxQueue: 1, threads: 1, batchSize: BATCH, contextSize: 2048 });
  });
  afterAll(() => model.unload());

  const request = (content: string): ChatRequest => ({
    model: 'm',
    messages: [{ role: 'user', content }],
    sampling: { temperature: 0 },
    maxTokens: 4,
    ...extra,
  });

  const story = (n: number) => `Story ${n}. ` + 'Once upon a time there was a little dog who liked to run in the park. '.repeat(n === 0 ? 20 : 50);

  it('stops before its prompt when aborted at once, and frees its sequence', async () => {
    const aborted = await abortedAfter(model, request(story(0)), 0);
    expect(aborted).toMatchObject({ reason: 'abort', usage: { completionTokens: 0 } });
    expect(model.stats().active).toBe(0);
    // The sequence holds at most one batch of it: the next request with the same prompt finds little cached.
    const next = await finishOf(await model.stream(request(story(0))));
    expect(next.usage.cachedPromptTokens).toBeLessThanOrEqual(2 * BATCH);
    const again = await finishOf(await model.stream(request(story(0))));
    expect(again.usage.cachedPromptTokens).toBe(again.usage.promptTokens - 1);
  });

  it('stops between batches when aborted part way through a long prompt (node-llama-cpp alone evaluates it to the end)', async () => {
    // How long this prompt's evaluation takes here, on a prompt of the same length that is not cached.
    const started = performance.now();
    const measured = await finishOf(await model.stream({ ...request(story(1)), maxTokens: 1 }));
    const fullMs = performance.now() - started;
    expect(measured.usage.promptTokens).toBeGreaterThan(40 * BATCH);

    const aborted = await abortedAfter(model, request(story(2)), fullMs / 4);
    expect(aborted).toMatchObject({ reason: 'abort', usage: { completionTokens: 0 } });
    expect(model.stats().active).toBe(0);
    const next = await finishOf(await model.stream({ ...request(story(2)), maxTokens: 1 }));
    // Well short of the whole prompt (about a quarter was evaluated when the signal came).
    expect(next.usage.cachedPromptTokens).toBeLessThan(next.usage.promptTokens * 0.75);
  });
});
