import path from 'node:path';
import { parseGGUFQuantLabel } from '@huggingface/gguf';

const SHARD = /-(\d{5})-of-(\d{5})\.gguf$/i;

export function isGguf(file: string): boolean {
  return file.toLowerCase().endsWith('.gguf');
}

/** A later shard of a split GGUF (`-00002-of-00003.gguf`): loaded through its first shard. */
export function isLaterShard(file: string): boolean {
  const match = SHARD.exec(file);
  return match !== null && Number(match[1]) > 1;
}

/** The quantization a GGUF's file name states (`Q4_K_M`), upper-cased. */
export function quantOfFile(file: string): string | undefined {
  return parseGGUFQuantLabel(path.basename(file))?.toUpperCase();
}

/** Whether the files make an MLX / transformers folder: `config.json` beside safetensors weights. */
export function isMlxFolder(files: readonly string[]): boolean {
  return files.includes('config.json') && files.some((f) => !f.includes('/') && f.endsWith('.safetensors'));
}
