import fs from 'node:fs';
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
// next decode (ggml's threads poll for work after each graph). Seen from outside as the CPU time of the threads the
// context made while nothing runs: the pool's second thread spins on a core, or it does not. (The whole process's
// CPU time would also count V8's own threads, which mark and sweep the heap when the process falls idle.)
const MODEL = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../models/stories260K.gguf');
const PROMPT = 'Once upon a time';

const ask = (content: string): ChatRequest => ({ model: 'stories', messages: [{ role: 'user', content }], sampling: { temperature: 0 }, maxTokens: 24 });
async function drain(stream: AsyncIterable<StreamPart>): Promise<string> {
  let text = '';
  for await (const part of stream) if (part.type === 'text-delta') text += part.text;
  return text;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** CPU milliseconds each thread of this process has run, by thread id (Linux's per-thread scheduler statistics). */
function threadCpuMs(): Map<string, number> {
  const threads = new Map<string, number>();
  for (const id of fs.readdirSync('/proc/self/task')) {
    try {
      threads.set(id, Number(fs.readFileSync(`/proc/self/task/${id}/schedstat`, 'utf8').split(' ')[0]) / 1e6);
    } catch {
      // the thread ended meanwhile
    }
  }
  return threads;
}

/** CPU milliseconds that the threads not among `older` (those a context made) spend over the next `ms` of wall time. */
async function idleCpuMs(older: ReadonlySet<string>, ms = 300): Promise<number> {
  const before = threadCpuMs();
  await sleep(ms);
  let used = 0;
  for (const [id, cpu] of threadCpuMs()) if (!older.has(id)) used += cpu - (before.get(id) ?? 0);
  return used;
}

const threadIds = (): Set<string> => new Set(threadCpuMs().keys());

const localBuild = findLocalBuild();
const perThreadCpu = fs.existsSync('/proc/self/task/' + process.pid + '/schedstat');
// The pause is native code that only a binding compiled here has (`llmux engine build`, which CI runs first); the
// CPU time of single threads is read where Linux gives it.
describe.skipIf(!localBuild || !perThreadCpu)('an idle context lets its thread pool sleep', () => {
  let model: LlamaModel;
  let context: LlamaContext;
  let completion: LlamaCompletion;
  let expected: string;
  let beforeContext: Set<string>;
  beforeAll(async () => {
    // The longest polling ggml allows (read when the context's pool is made), so that a pool left spinning is plain to see
    process.env.LLMUX_CPU_POLL = '100';
    try {
      const llama = await getLlamaRuntime(false);
      model = await llama.loadModel({ modelPath: MODEL });
      beforeContext = threadIds();
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
    const spinning = await idleCpuMs(beforeContext);

    for (let round = 0; round < 3; round++) {
      setContextIdle(context, false);
      expect(await completion.generateCompletion(PROMPT, { maxTokens: 24, temperature: 0 })).toBe(expected);
      setContextIdle(context, true);
      const sleeping = await idleCpuMs(beforeContext);
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
    expect(await idleCpuMs(beforeContext)).toBeLessThan(10);
    other.dispose();
    expect(await completion.generateCompletion(PROMPT, { maxTokens: 24, temperature: 0 })).toBe(expected);
  });

  it('is told by a loaded model: idle once its last generation ends, whether the requests came one by one or together', async () => {
    process.env.LLMUX_CPU_POLL = '100';
    let loaded: LoadedModel | undefined;
    const beforeLoad = threadIds();
    try {
      loaded = await new GgufBackend().load({ id: 'stories', format: 'gguf', path: MODEL }, { parallel: 2, maxQueue: 2, threads: 2 });
    } finally {
      delete process.env.LLMUX_CPU_POLL;
    }
    try {
      const alone = await drain(await loaded.stream(ask(PROMPT)));
      expect(await idleCpuMs(beforeLoad)).toBeLessThan(10);
      const together = await Promise.all([0, 1, 2].map(async () => drain(await loaded!.stream(ask(PROMPT)))));
      expect(together).toEqual([alone, alone, alone]);
      expect(await idleCpuMs(beforeLoad)).toBeLessThan(10);
    } finally {
      await loaded.unload();
    }
  });
});
