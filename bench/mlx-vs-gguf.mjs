#!/usr/bin/env node
// Tokens/s of backend-mlx against backend-gguf on the same weights, in the same run, and the
// resident memory of an MLX generation over 2,000 tokens.
//
//   pnpm build && node bench/mlx-vs-gguf.mjs [--runs 5] [--tokens 200]
//
// Both backends run through the Backend contract (LoadedModel.stream / complete), greedy, one
// slot, llama.cpp with 1 thread (fastest for these tiny models). Reports medians.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { GgufBackend } from '@llmux/backend-gguf';
import { convertGgufToMlx, MlxBackend } from '@llmux/backend-mlx';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, tokens: { type: 'string', default: '200' } } });
const RUNS = Number(values.runs);
const TOKENS = Number(values.tokens);
const MODELS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../models');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timed(run) {
  const started = performance.now();
  let first;
  let tokens = 0;
  for await (const part of await run()) {
    if (part.type === 'text-delta' && first === undefined) first = performance.now();
    if (part.type === 'finish') tokens = part.usage.completionTokens;
  }
  const ended = performance.now();
  return { tokens, tokensPerSecond: (tokens - 1) / ((ended - first) / 1000), totalMs: ended - started };
}

const gguf = new GgufBackend();
const mlx = new MlxBackend();
const work = await mkdtemp(path.join(tmpdir(), 'llmux-bench-'));
try {
  const storiesMlx = path.join(work, 'stories260K-mlx');
  await convertGgufToMlx(path.join(MODELS, 'stories260K.gguf'), storiesMlx);
  // brown: node-llama-cpp's ChatML prompt (BOS first) is given to MLX as raw text, so both
  // sides evaluate the same prompt ids and generate the same tokens.
  const chatml = (content) => `<|endoftext|><|im_start|>user\n${content}<|im_end|>\n<|im_start|>assistant\n`;
  const pairs = [
    ['brown-llama-1m', 'brown-llama-1m-F16.gguf', path.join(MODELS, 'brown-llama-1m-mlx'), 'The jury said', 256, (c) => ({ prompt: chatml(c) })],
    ['stories260K', 'stories260K.gguf', storiesMlx, 'Once upon a time', 2048, undefined],
  ];
  console.log(`node ${process.version}, ${process.platform}/${process.arch}; generation speed after the first token, greedy\n`);
  for (const [name, ggufFile, mlxFolder, content, contextSize, asCompletion] of pairs) {
    const options = { parallel: 1, maxQueue: 1, threads: 1, contextSize };
    const g = await gguf.load({ id: name, format: 'gguf', path: path.join(MODELS, ggufFile) }, options);
    const m = await mlx.load({ id: name, format: 'mlx', path: mlxFolder }, options);
    const chat = { messages: [{ role: 'user', content }], sampling: { temperature: 0 }, maxTokens: TOKENS };
    const sides = [
      { label: `gguf (${ggufFile})`, run: () => g.stream({ model: name, ...chat }) },
      {
        label: 'mlx (float32, CPU)',
        run: () => (asCompletion ? m.complete({ model: name, ...asCompletion(content), sampling: chat.sampling, maxTokens: TOKENS }) : m.stream({ model: name, ...chat })),
      },
    ];
    for (const side of sides) await timed(side.run); // warm-up
    const runs = sides.map(() => []);
    for (let i = 0; i < RUNS; i++) for (const [index, side] of sides.entries()) runs[index].push(await timed(side.run));
    const tps = runs.map((list) => median(list.map((run) => run.tokensPerSecond)));
    sides.forEach((side, index) => {
      console.log(`${name} ${side.label}`.padEnd(44) + `${tps[index].toFixed(1).padStart(8)} tokens/s  (${runs[index][0].tokens} tokens, median of ${RUNS})`);
    });
    console.log(`${name}: mlx / gguf = ${(tps[1] / tps[0]).toFixed(2)}\n`);
    await Promise.all([g.unload(), m.unload()]);
  }

  // Memory: 2,000 tokens as 8 generations of 250 on one slot, RSS after each.
  const model = await mlx.load({ id: 'brown', format: 'mlx', path: path.join(MODELS, 'brown-llama-1m-mlx') }, { parallel: 1, maxQueue: 1, contextSize: 300 });
  const rss = [];
  let generated = 0;
  for (let i = 0; i < 8; i++) {
    const request = { model: 'brown', prompt: 'The jury said', sampling: { temperature: 1, seed: i, logitBias: { 1021: -100, 1023: -100 } }, maxTokens: 250 };
    for await (const part of await model.complete(request)) if (part.type === 'finish') generated += part.usage.completionTokens;
    rss.push(process.memoryUsage().rss / 2 ** 20);
  }
  console.log(`RSS (MiB) after each 250 tokens, ${generated} tokens in all: ${rss.map((x) => x.toFixed(0)).join(' ')}`);
  console.log(`RSS spread over generations 2-8: ${(Math.max(...rss.slice(1)) - Math.min(...rss.slice(1))).toFixed(1)} MiB; last - second: ${(rss[7] - rss[1]).toFixed(1)} MiB`);
  await model.unload();
} finally {
  await rm(work, { recursive: true, force: true });
}
