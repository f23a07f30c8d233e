import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeRandomModel, type RandomModelSpec } from '../testing/random-model.js';
import { KvCache } from './kv-cache.js';
import { loadTransformer } from './load-model.js';
import { mx, type MxArray } from './mlx.js';
import { parseModelConfig } from './model-config.js';
import { Transformer } from './transformer.js';
import { loadWeights } from './weights.js';

const root = await mkdtemp(path.join(tmpdir(), 'llmux-mlx-random-'));
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

// hidden 256 / intermediate 512: every linear's input width is a multiple of the group size.
const base = { hiddenSize: 256, layers: 2, heads: 4, kvHeads: 2, intermediateSize: 512, vocabSize: 512, seed: 11 } as const;
const prompt = [5, 17, 300, 42, 7, 99, 256, 3];

async function load(name: string, spec: RandomModelSpec) {
  const folder = path.join(root, name);
  await writeRandomModel(folder, spec);
  const config = JSON.parse(await readFile(path.join(folder, 'config.json'), 'utf8')) as Record<string, unknown>;
  return { folder, config, ...(await loadTransformer(folder, config)) };
}

/** The same quantized folder with every quantized tensor expanded to float32: the exact reference. */
async function dequantized(folder: string, config: Record<string, unknown>): Promise<Transformer> {
  const quantization = config['quantization'] as Record<string, unknown> & { group_size: number; bits: number };
  const weights = await loadWeights(folder);
  for (const name of [...weights.keys()].filter((key) => key.endsWith('.scales'))) {
    const prefix = name.slice(0, -'.scales'.length);
    const own = quantization[prefix] as { group_size: number; bits: number } | undefined;
    const { group_size: groupSize, bits } = own ?? quantization;
    const full = mx.dequantize(weights.get(`${prefix}.weight`)!, weights.get(name)!, weights.get(`${prefix}.biases`)!, groupSize, bits);
    weights.set(`${prefix}.weight`, full);
    weights.delete(name);
    weights.delete(`${prefix}.biases`);
  }
  const { quantization: _, ...plain } = config;
  return new Transformer(parseModelConfig(plain), weights);
}

/** Logits of the prompt evaluated at once, then of one more token through the KV cache. */
function logitsOf(model: Awaited<ReturnType<typeof load>>['model']): number[][] {
  const cache = new KvCache(model.config.layers);
  const first = model.forward(prompt, cache);
  const second = model.forward([11], cache);
  return [first, second].map((logits: MxArray) => logits.tolist() as number[]);
}

function relativeError(actual: number[], expected: number[]): number {
  let diff = 0;
  let norm = 0;
  expected.forEach((value, index) => {
    diff += (actual[index]! - value) ** 2;
    norm += value ** 2;
  });
  return Math.sqrt(diff / norm);
}

const architectures: Array<Pick<RandomModelSpec, 'modelType' | 'tieWordEmbeddings' | 'ropeScaling' | 'extraConfig'>> = [
  {
    modelType: 'llama',
    ropeScaling: { rope_type: 'llama3', factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 64 },
  },
  { modelType: 'qwen2', tieWordEmbeddings: true },
  { modelType: 'qwen3', tieWordEmbeddings: true },
  { modelType: 'mistral' },
  { modelType: 'smollm3', tieWordEmbeddings: true, extraConfig: { no_rope_layers: [1, 0] } },
];

describe.each(architectures)('random-weight $modelType', (architecture) => {
  it('8-bit and 4-bit group-quantized logits track the float reference', async () => {
    const reference = await load(`${architecture.modelType}-f32`, { ...base, ...architecture });
    const expected = logitsOf(reference.model);
    const cases = [
      // Measured: ~0.021 (8-bit), ~0.24 (4-bit, group 32), ~0.44 (4-bit, group 64) after two layers of random weights.
      { bits: 8, groupSize: 64, scalesDtype: 'float16', tolerance: 0.04 },
      { bits: 4, groupSize: 32, scalesDtype: 'bfloat16', tolerance: 0.4 },
      // Mixed precision: 4-bit layers with an 8-bit MLP down projection, as mlx-lm's mixed recipes write.
      { bits: 4, groupSize: 64, scalesDtype: 'float16', tolerance: 0.6, layers: { 'model.layers.1.mlp.down_proj': { bits: 8, groupSize: 32 } } },
    ] as const;
    for (const quantize of cases) {
      const name = `${architecture.modelType}-q${quantize.bits}-g${quantize.groupSize}`;
      const quantized = await load(name, { ...base, ...architecture, quantize, shards: 2 });
      expect(quantized.bytes).toBeLessThan(reference.bytes / 2);
      const actual = logitsOf(quantized.model);
      // The quantized kernels compute what the dequantized weights compute.
      const exact = logitsOf(await dequantized(quantized.folder, quantized.config));
      for (let step = 0; step < 2; step++) expect(relativeError(actual[step]!, exact[step]!)).toBeLessThan(1e-4);
      for (let step = 0; step < 2; step++) {
        const error = relativeError(actual[step]!, expected[step]!);
        expect(error, `${quantize.bits}-bit step ${step}`).toBeLessThan(quantize.tolerance);
        expect(error).toBeGreaterThan(0);
      }
    }
  });
});

describe('the KV cache', () => {
  it('gives the same logits as evaluating the whole sequence at once', async () => {
    const { model } = await load('llama-cache', { ...base, modelType: 'llama' });
    const whole = model.forward([...prompt, 11], new KvCache(model.config.layers)).tolist() as number[];
    const [, stepwise] = logitsOf(model);
    expect(relativeError(stepwise!, whole)).toBeLessThan(1e-5);
  });

  it('evaluates a prompt in chunks (several tokens after cached ones) as at once', async () => {
    const { model } = await load('llama-chunks', { ...base, modelType: 'llama' });
    const cache = new KvCache(model.config.layers);
    model.forward(prompt.slice(0, 3), cache);
    const chunked = model.forward(prompt.slice(3), cache).tolist() as number[];
    const whole = model.forward(prompt, new KvCache(model.config.layers)).tolist() as number[];
    expect(relativeError(chunked, whole)).toBeLessThan(1e-5);
  });

  it('rolls back to a shared prefix', async () => {
    const { model } = await load('llama-truncate', { ...base, modelType: 'llama' });
    const cache = new KvCache(model.config.layers);
    model.forward([...prompt, 1, 2, 3], cache);
    cache.truncate(prompt.length);
    const resumed = model.forward([11], cache).tolist() as number[];
    const fresh = model.forward([...prompt, 11], new KvCache(model.config.layers)).tolist() as number[];
    expect(relativeError(resumed, fresh)).toBeLessThan(1e-5);
  });
});
