#!/usr/bin/env node
// backend-mlx on a real model shape with random weights: 8-bit and 4-bit group-quantized
// against float32 (the reference, measured in the same run). Speed depends on a model's shape,
// not its weight values, so random weights stand in for the real model here.
//
//   pnpm build && node bench/mlx-quantized.mjs [--runs 3] [--tokens 32]
//
// Shape: SmolLM2-135M (hidden 576, 30 layers, 9 heads, 3 KV heads, FFN 1536, vocab 49152, tied embeddings).
// The tokenizer is brown's (1,024 tokens): logit bias keeps generation inside its vocabulary.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { MlxBackend } from '@llmux/backend-mlx';
import { writeRandomModel } from '@llmux/backend-mlx/testing';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, tokens: { type: 'string', default: '32' } } });
const RUNS = Number(values.runs);
const TOKENS = Number(values.tokens);
const BROWN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../models/brown-llama-1m-mlx');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const shape = { modelType: 'llama', hiddenSize: 576, layers: 30, heads: 9, kvHeads: 3, intermediateSize: 1536, vocabSize: 49152, tieWordEmbeddings: true };
// Tokens past brown's vocabulary get a large negative bias, so every sampled id decodes.
const logitBias = Object.fromEntries(Array.from({ length: 49152 - 1021 }, (_, i) => [1021 + i, -100]));

const work = await mkdtemp(path.join(tmpdir(), 'llmux-bench-q-'));
try {
  const variants = [
    ['float32', undefined],
    ['8-bit g64', { bits: 8, groupSize: 64 }],
    ['4-bit g64', { bits: 4, groupSize: 64 }],
  ];
  const backend = new MlxBackend();
  const models = [];
  for (const [label, quantize] of variants) {
    const folder = path.join(work, label.replace(/\W+/g, '-'));
    await writeRandomModel(folder, { ...shape, seed: 1, tokenizerFrom: BROWN, ...(quantize ? { quantize } : {}) });
    models.push({ label, model: await backend.load({ id: label, format: 'mlx', path: folder }, { parallel: 1, maxQueue: 1, contextSize: 512 }) });
  }
  const request = { prompt: 'The jury said', sampling: { temperature: 0, logitBias }, maxTokens: TOKENS };
  const speeds = models.map(() => []);
  for (let run = -1; run < RUNS; run++) {
    for (const [index, { label, model }] of models.entries()) {
      let first;
      let tokens = 0;
      for await (const part of await model.complete({ model: label, ...request })) {
        if (part.type === 'text-delta' && first === undefined) first = performance.now();
        if (part.type === 'finish') tokens = part.usage.completionTokens;
      }
      if (run >= 0) speeds[index].push((tokens - 1) / ((performance.now() - first) / 1000));
    }
  }
  console.log(`node ${process.version}, ${process.platform}/${process.arch}; SmolLM2-135M shape, random weights, ${TOKENS} greedy tokens\n`);
  const reference = median(speeds[0]);
  for (const [index, { label, model }] of models.entries()) {
    const tps = median(speeds[index]);
    const mib = (model.memory.cpuBytes / 2 ** 20).toFixed(0);
    console.log(`${label.padEnd(10)} ${tps.toFixed(1).padStart(7)} tokens/s  x${(tps / reference).toFixed(2)} of float32   weights ${mib} MiB`);
  }
  await Promise.all(models.map(({ model }) => model.unload()));
} finally {
  await rm(work, { recursive: true, force: true });
}
