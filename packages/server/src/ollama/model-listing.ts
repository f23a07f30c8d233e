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

/** Every model the store knows, then the virtual models of the router config, as Ollama lists them. */
export async function listOllamaModels(runtime: Runtime): Promise<OllamaModelEntry[]> {
  const infos = await runtime.store.list();
  const models = await Promise.all(infos.map((info) => toEntry(info)));
  return [...models, ...Object.keys(runtime.config.router.virtual).map((name) => virtualEntry(name, runtime.startedAt))];
}

/** A virtual model: a name the router maps onto real models; no file of its own. */
function virtualEntry(name: string, since: Date): OllamaModelEntry {
  const tagged = taggedName(name);
  return {
    name: tagged,
    model: tagged,
    modified_at: since.toISOString(),
    size: 0,
    digest: createHash('sha256').update(`virtual\0${name}`).digest('hex'),
    model_info: {},
    details: { parent_model: '', format: '', family: '', families: null, parameter_size: '', quantization_level: '' },
  };
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
