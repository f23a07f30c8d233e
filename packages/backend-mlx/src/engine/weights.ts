import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { mx, type MxArray } from './mlx.js';

/** The safetensors files of a model folder: the shards an index names, else `model.safetensors`. */
export async function weightFiles(folder: string): Promise<string[]> {
  const indexPath = join(folder, 'model.safetensors.index.json');
  if (existsSync(indexPath)) {
    const index = JSON.parse(await readFile(indexPath, 'utf8')) as { weight_map?: Record<string, string> };
    const shards = [...new Set(Object.values(index.weight_map ?? {}))].sort();
    if (shards.length === 0) throw new Error(`${indexPath} names no weight files.`);
    return shards.map((shard) => join(folder, shard));
  }
  const single = join(folder, 'model.safetensors');
  if (existsSync(single)) return [single];
  throw new Error(`No model.safetensors or model.safetensors.index.json in ${folder}.`);
}

/**
 * Loads every tensor of the folder. Floating tensors become float32 because the CPU matmul and
 * attention kernels accept nothing else (fp16/bf16 abort the process there); packed quantized
 * weights (uint32) stay as they are.
 */
export async function loadWeights(folder: string): Promise<Map<string, MxArray>> {
  const weights = new Map<string, MxArray>();
  for (const file of await weightFiles(folder)) {
    const tensors = mx.load(file) as unknown as Record<string, MxArray>;
    for (const [name, tensor] of Object.entries(tensors)) {
      const floating = mx.issubdtype(tensor.dtype, mx.floating);
      const value = floating && tensor.dtype !== mx.float32 ? tensor.astype(mx.float32) : tensor;
      mx.eval(value);
      weights.set(name, value);
    }
  }
  return weights;
}
