import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { getLlama, LlamaLogLevel, type Token } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedModel, StreamPart } from '@llmux/core';
import { GgufBackend } from '@llmux/backend-gguf';
import { convertGgufToMlx, MlxBackend } from '@llmux/backend-mlx';
import { MODELS_DIR } from './helpers/test-server.js';

// Greedy generation on both backends from the same weights. The prompts' token ids are the same
// on both sides, so any difference comes from the arithmetic.

const gguf = new GgufBackend();
const mlx = new MlxBackend();
const options = { parallel: 1, maxQueue: 4, threads: 1 };
let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'llmux-parity-'));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

async function run(parts: AsyncIterable<StreamPart>) {
  let text = '';
  let finish: Extract<StreamPart, { type: 'finish' }> | undefined;
  for await (const part of parts) {
    if (part.type === 'text-delta') text += part.text;
    if (part.type === 'finish') finish = part;
  }
  return { text, reason: finish!.reason, promptTokens: finish!.usage.promptTokens, completionTokens: finish!.usage.completionTokens };
}

const greedy = { temperature: 0 };
const BROWN_PROMPTS = ['The jury said', 'What did the committee decide about the city?', 'Tell me about the weather in the fall'];
// node-llama-cpp's ChatML wrapper writes this prompt (BOS first); the MLX side gets the same text
// as a raw completion, which tokenizer.json turns into the same ids.
const chatml = (content: string) => `<|endoftext|><|im_start|>user\n${content}<|im_end|>\n<|im_start|>assistant\n`;

async function brownChats(model: LoadedModel, viaCompletion: boolean) {
  const results = [];
  for (const content of BROWN_PROMPTS) {
    const parts = viaCompletion
      ? await model.complete!({ model: model.id, prompt: chatml(content), sampling: greedy, maxTokens: 48 })
      : await model.stream({ model: model.id, messages: [{ role: 'user', content }], sampling: greedy, maxTokens: 48 });
    results.push(await run(parts));
  }
  return results;
}

/** Greedy token ids from llama.cpp for exactly these prompt ids, and their text. */
async function llamaCppGreedy(ggufFile: string, prompts: number[][], count: number): Promise<Array<{ tokens: number[]; text: string }>> {
  const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
  const model = await llama.loadModel({ modelPath: path.join(MODELS_DIR, ggufFile) });
  const context = await model.createContext({ contextSize: 256, threads: 1 });
  try {
    const results: Array<{ tokens: number[]; text: string }> = [];
    for (const prompt of prompts) {
      const sequence = context.getSequence();
      const tokens: number[] = [];
      for await (const token of sequence.evaluate(prompt as Token[], { temperature: 0 })) {
        tokens.push(token);
        if (tokens.length >= count) break;
      }
      sequence.dispose();
      const all = model.detokenize([...prompt, ...tokens] as Token[]);
      results.push({ tokens, text: all.slice(model.detokenize(prompt as Token[]).length) });
    }
    return results;
  } finally {
    await context.dispose();
    await model.dispose();
  }
}

function agreeingPrefix(a: readonly number[], b: readonly number[]): number {
  let index = 0;
  while (index < a.length && index < b.length && a[index] === b[index]) index++;
  return index;
}

describe('greedy parity between node-llama-cpp and backend-mlx on the same weights', () => {
  it('brown F16 GGUF (backend-gguf) and the brown MLX folder generate the same tokens', async () => {
    const left = await gguf.load({ id: 'gguf', format: 'gguf', path: path.join(MODELS_DIR, 'brown-llama-1m-F16.gguf') }, options);
    const right = await mlx.load({ id: 'mlx', format: 'mlx', path: path.join(MODELS_DIR, 'brown-llama-1m-mlx') }, options);
    try {
      const [fromGguf, fromMlx] = [await brownChats(left, false), await brownChats(right, true)];
      expect(fromMlx).toEqual(fromGguf);
      expect(fromMlx.every((result) => result.completionTokens > 10)).toBe(true);
    } finally {
      await Promise.all([left.unload(), right.unload()]);
    }
  });

  it('brown Q8_0 GGUF: MLX follows the F16 tokens; Q8_0 parts ways after a few', async () => {
    const mlxModel = await mlx.load({ id: 'mlx', format: 'mlx', path: path.join(MODELS_DIR, 'brown-llama-1m-mlx') }, options);
    try {
      const prompts = await Promise.all(BROWN_PROMPTS.map((content) => mlxModel.tokenize!(chatml(content))));
      const f16 = await llamaCppGreedy('brown-llama-1m-F16.gguf', prompts, 40);
      const q8 = await llamaCppGreedy('brown-llama-1m-Q8_0.gguf', prompts, 40);
      for (const [index, content] of BROWN_PROMPTS.entries()) {
        // Ended by <|im_end|> before 40 tokens on either side counts as a shorter run.
        const fromMlx = await run(await mlxModel.complete!({ model: 'mlx', prompt: chatml(content), sampling: greedy, maxTokens: 40 }));
        expect(fromMlx.text.length).toBeGreaterThan(0);
        expect(f16[index]!.text.startsWith(fromMlx.text)).toBe(true);
      }
      const agreement = prompts.map((_, index) => agreeingPrefix(f16[index]!.tokens, q8[index]!.tokens));
      // Q8_0 rounds each block of 32 weights to 8 bits; on this 1M-parameter model that flips
      // near-ties early (measured: 40, 8 and 4 of 40 tokens agree with F16; docs/performance.md).
      expect(Math.min(...agreement)).toBeGreaterThanOrEqual(2);
      expect(Math.min(...agreement)).toBeLessThan(40);
    } finally {
      await mlxModel.unload();
    }
  });

  it('stories260K converted to MLX generates the same tokens as its GGUF', async () => {
    const folder = path.join(workDir, 'stories260K-mlx');
    await convertGgufToMlx(path.join(MODELS_DIR, 'stories260K.gguf'), folder);
    const model = await mlx.load({ id: 'mlx', format: 'mlx', path: folder }, options);
    try {
      const texts = ['Once upon a time', 'Lily and Ben went to the park', 'The little dog was sad because'];
      const prompts = await Promise.all(texts.map((text) => model.tokenize!(text)));
      const expected = await llamaCppGreedy('stories260K.gguf', prompts, 80);
      for (const [index, text] of texts.entries()) {
        const fromMlx = await run(await model.complete!({ model: 'mlx', prompt: text, sampling: greedy, maxTokens: 80 }));
        expect(fromMlx.promptTokens).toBe(prompts[index]!.length);
        expect(fromMlx.completionTokens).toBe(80);
        expect(fromMlx.text).toBe(expected[index]!.text);
      }
    } finally {
      await model.unload();
    }
  });
});
