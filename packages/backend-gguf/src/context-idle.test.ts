import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LlamaCompletion, type LlamaContext, type LlamaModel } from 'node-llama-cpp';
import type { ChatRequest, LoadedModel, StreamPart } from '@llmux/core';
import { setContextIdle } from './context-idle.js';
import { GgufBackend } from './gguf-backend.js';
import { findLocalBuild } from './llama-binary-choice.js';
import { getLlamaRuntime } from './llama-runtime.js';

// patches/node-llama-cpp@3.22.1.patch: an idle context's CPU thread pool sleeps at once instead of spinning for a
// next decode (ggml's threads poll for work after each graph). Seen from outside as the process's CPU time while
// nothing runs: the pool's second thread spins on a core, or it does not.
const MODEL = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../models/stories260K.gguf');
const PROMPT = 'Once upon a time';

const ask = (content: string): ChatRequest => ({ model: 'stories', messages: [{ role: 'user', content }], sampling: { temperature: 0 }, maxTokens: 24 });
async function drain(stream: AsyncIterable<StreamPart>): Promise<string> {
  let text = '';
  for await (const part of stream) if (part.type === 'text-delta') text += part.text;
  return text;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** CPU milliseconds this process spends over the next `ms` of wall time, doing nothing itself. */
async function idleCpuMs(ms = 300): Promise<number> {
  const before = process.cpuUsage();
  await sleep(ms);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

const localBuild = findLocalBuild();
// The pause is native code that only a binding compiled here has (`llmux engine build`, which CI runs first).
describe.skipIf(!localBuild)('an idle context lets its thread pool sleep', () => {
  let model: LlamaModel;
  let context: LlamaContext;
  let completion: LlamaCompletion;
  let expected: string;
  beforeAll(async () => {
    // The longest polling ggml allows (read when the context's pool is made), so that a pool left spinning is plain to see
    process.env.LLMUX_CPU_POLL = '100';
    try {
      const llama = await getLlamaRuntime(false);
      model = await llama.loadModel({ modelPath: MODEL });
      context = await model.createContext({ contextSize: 256, sequences: 2, threads: 2 });
    } finally {
      delete process.env.LLMUX_CPU_POLL;
    }
    completion = new LlamaCompletion({ contextSequence: context.getSequence() });
    expected = await completion.generateCompletion(PROMPT, { maxTokens: 24, temperature: 0 });
  });
  // The shared context's pool, left polling by a test's last generation, would count in the next test's CPU time
  afterEach(() => setContextIdle(context, true));
  afterAll(async () => {
    await context?.dispose();
    await model?.dispose();
  });

  it('spins after a generation unless told the context is idle, and generates the same text after sleeping', async () => {
    await completion.generateCompletion(PROMPT, { maxTokens: 24, temperature: 0 });
    const spinning = await idleCpuMs();

    for (let round = 0; round < 3; round++) {
      setContextIdle(context, false);
      expect(await completion.generateCompletion(PROMPT, { maxTokens: 24, temperature: 0 })).toBe(expected);
      setContextIdle(context, true);
      const sleeping = await idleCpuMs();
      expect(sleeping).toBeLessThan(Math.min(10, spinning / 3));
    }
    expect(spinning).toBeGreaterThan(30);
    // woken by the next decode alone, without being told
    expect(await completion.generateCompletion(PROMPT, { maxTokens: 24, temperature: 0 })).toBe(expected);
  });

  it('waits for decodes in flight: told idle while two sequences generate, it finishes them and then sleeps', async () => {
    const other = new LlamaCompletion({ contextSequence: context.getSequence() });
    const both = Promise.all([
      completion.generateCompletion(PROMPT, { maxTokens: 48, temperature: 0 }),
      other.generateCompletion(PROMPT, { maxTokens: 48, temperature: 0 }),
    ]);
    for (let i = 0; i < 10; i++) {
      await sleep(1);
      setContextIdle(context, true);
    }
    const [first, second] = await both;
    expect(first.startsWith(expected)).toBe(true);
    expect(second).toBe(first);
    setContextIdle(context, true);
    expect(await idleCpuMs()).toBeLessThan(10);
    other.dispose();
    expect(await completion.generateCompletion(PROMPT, { maxTokens: 24, temperature: 0 })).toBe(expected);
  });

  it('is told by a loaded model: idle once its last generation ends, whether the requests came one by one or together', async () => {
    process.env.LLMUX_CPU_POLL = '100';
    let loaded: LoadedModel | undefined;
    try {
      loaded = await new GgufBackend().load({ id: 'stories', format: 'gguf', path: MODEL }, { parallel: 2, maxQueue: 2, threads: 2 });
    } finally {
      delete process.env.LLMUX_CPU_POLL;
    }
    try {
      const alone = await drain(await loaded.stream(ask(PROMPT)));
      expect(await idleCpuMs()).toBeLessThan(10);
      const together = await Promise.all([0, 1, 2].map(async () => drain(await loaded!.stream(ask(PROMPT)))));
      expect(together).toEqual([alone, alone, alone]);
      expect(await idleCpuMs()).toBeLessThan(10);
    } finally {
      await loaded.unload();
    }
  });
});
