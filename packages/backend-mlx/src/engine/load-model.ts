import { parseModelConfig } from './model-config.js';
import { Transformer } from './transformer.js';
import { loadWeights } from './weights.js';

/** Loads a model folder (config.json + safetensors) into a ready Transformer, weights in float32. */
export async function loadTransformer(folder: string, config: Record<string, unknown>): Promise<{ model: Transformer; bytes: number }> {
  const weights = await loadWeights(folder);
  let bytes = 0;
  for (const array of weights.values()) bytes += array.nbytes ?? array.size * array.itemsize;
  return { model: new Transformer(parseModelConfig(config), weights), bytes };
}
