import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidRequestError } from '@llmux/core';
import { mx, type MxArray } from '../engine/mlx.js';
import { convertGgufToMlx } from './gguf-to-mlx.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const MODELS = path.join(ROOT, 'models');
let work: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'llmux-convert-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const json = async (file: string) => JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
const load = (file: string) => mx.load(file) as unknown as Record<string, MxArray>;
const maxDiff = (a: MxArray, b: MxArray) => mx.max(mx.abs(mx.subtract(a.astype(mx.float32), b.astype(mx.float32)))).item() as number;

describe('convertGgufToMlx', () => {
  it('turns brown F16 into the tensors, tokenizer and template of the bundled MLX folder', async () => {
    const folder = path.join(work, 'brown');
    await convertGgufToMlx(path.join(MODELS, 'brown-llama-1m-F16.gguf'), folder);
    const converted = load(path.join(folder, 'model.safetensors'));
    const reference = load(path.join(MODELS, 'brown-llama-1m-mlx/model.safetensors'));
    expect(Object.keys(converted).sort()).toEqual(Object.keys(reference).sort());
    for (const [name, tensor] of Object.entries(reference)) {
      expect(converted[name]!.shape).toEqual(tensor.shape);
      // Norm weights are F32 in the GGUF and fp16 in the folder; everything else is bit-identical
      // (q/k included: the rope row permutation is undone).
      expect(maxDiff(converted[name]!, tensor), name).toBeLessThan(name.includes('norm') ? 1e-3 : 1e-9);
    }
    expect(await json(path.join(folder, 'tokenizer.json'))).toEqual(await json(path.join(MODELS, 'brown-llama-1m-mlx/tokenizer.json')));
    const config = await json(path.join(folder, 'config.json'));
    expect(config).toMatchObject({ model_type: 'llama', hidden_size: 128, num_hidden_layers: 4, vocab_size: 1024, tie_word_embeddings: false });
    const tokenizerConfig = await json(path.join(folder, 'tokenizer_config.json'));
    expect(tokenizerConfig['chat_template']).toBe((await json(path.join(MODELS, 'brown-llama-1m-mlx/tokenizer_config.json')))['chat_template']);
    expect(tokenizerConfig['eos_token']).toBe('<|im_end|>');
  });

  it('reads Q8_0 blocks and quantizes to 8 bits where MLX can (width >= 128)', async () => {
    const folder = path.join(work, 'brown-q8');
    const result = await convertGgufToMlx(path.join(MODELS, 'brown-llama-1m-Q8_0.gguf'), folder, { quantize: 8 });
    // 4 layers x (q, k, v, o, gate, up) + embedding + lm_head; down_proj is 384 wide too.
    expect(result.quantizedTensors).toBe(4 * 7 + 2);
    const tensors = load(path.join(folder, 'model.safetensors'));
    expect(String(tensors['model.layers.0.self_attn.q_proj.weight']!.dtype)).toBe('uint32');
    expect(await json(path.join(folder, 'config.json'))).toMatchObject({ quantization: { group_size: 64, bits: 8 } });
  });

  it('refuses a non-empty folder without overwrite, and files that are not GGUF', async () => {
    const folder = path.join(work, 'brown');
    await expect(convertGgufToMlx(path.join(MODELS, 'brown-llama-1m-F16.gguf'), folder)).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(convertGgufToMlx(path.join(ROOT, 'README.md'), path.join(work, 'x'))).rejects.toThrow(/as a GGUF file/);
  });
});
