import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import type { ModelInfo } from '@llmux/core';
import type { Runtime } from '../runtime/runtime.js';
import { taggedName } from './model-name.js';

/** A model as Ollama's `/api/tags` lists it. */
export interface OllamaModelEntry {
  name: string;
  model: string;
  modified_at: string;
  size: number;
  digest: string;
  /** Ollama's GGUF metadata keys, from what the store read of the file. */
  model_info: Record<string, string | number>;
  details: {
    parent_model: string;
    format: string;
    family: string;
    families: string[] | null;
    parameter_size: string;
    quantization_level: string;
  };
}

/** Every model the store knows, as Ollama lists them. */
export async function listOllamaModels(runtime: Runtime): Promise<OllamaModelEntry[]> {
  const infos = await runtime.store.list();
  return Promise.all(infos.map((info) => toEntry(info)));
}

async function toEntry(info: ModelInfo): Promise<OllamaModelEntry> {
  const facts = await stat(info.path).then(
    (s) => ({ mtime: s.mtime, mtimeMs: s.mtimeMs }),
    () => ({ mtime: new Date(0), mtimeMs: 0 }),
  );
  const name = taggedName(info.id);
  return {
    name,
    model: name,
    modified_at: facts.mtime.toISOString(),
    size: info.sizeBytes,
    // Identifies the file version (path, size, mtime) without reading gigabytes; not a content hash.
    digest: createHash('sha256').update(`${info.path}\0${info.sizeBytes}\0${facts.mtimeMs}`).digest('hex'),
    model_info: {
      ...(info.architecture ? { 'general.architecture': info.architecture } : {}),
      ...(info.architecture && info.contextLength ? { [`${info.architecture}.context_length`]: info.contextLength } : {}),
    },
    details: {
      parent_model: '',
      format: info.format,
      family: info.architecture ?? '',
      families: info.architecture ? [info.architecture] : null,
      parameter_size: '',
      quantization_level: info.quantization ?? '',
    },
  };
}
