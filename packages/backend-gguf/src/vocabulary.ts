import type { LlamaModel } from 'node-llama-cpp';

/** How many tokens the model's vocabulary holds (ids run from 0 to this minus 1). */
export function vocabularySize(model: LlamaModel): number {
  const tokens: unknown = model.fileInfo.metadata.tokenizer?.ggml?.tokens;
  return Array.isArray(tokens) ? tokens.length : 0;
}
