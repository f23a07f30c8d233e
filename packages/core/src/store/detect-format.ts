import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { ModelFormat } from '../types/model.js';

/** Tells a model's format from its path: a `.gguf` file, an MLX folder (with `config.json`), or a URL. */
export async function detectFormat(source: string): Promise<ModelFormat | undefined> {
  if (/^https?:\/\//.test(source)) return 'remote';
  const info = await stat(source).catch(() => undefined);
  if (!info) return undefined;
  if (info.isFile() && source.toLowerCase().endsWith('.gguf')) return 'gguf';
  if (info.isDirectory()) {
    const config = await stat(path.join(source, 'config.json')).catch(() => undefined);
    if (config?.isFile()) return 'mlx';
  }
  return undefined;
}
