import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

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
