import type { LlamaModel, Token } from 'node-llama-cpp';
import { UnsupportedFeatureError, type CompletionRequest } from '@llmux/core';

/**
 * The tokens of a raw completion: the prompt after the model's beginning-of-sequence token, or,
 * with a `suffix`, the model's fill-in-the-middle layout (prefix, suffix, then the middle token
 * the model continues from), which only models with infill tokens have.
 */
export function completionPrompt(model: LlamaModel, request: CompletionRequest, modelId: string): Token[] {
  const begin = model.tokens.bos != null && model.tokens.shouldPrependBosToken ? [model.tokens.bos] : [];
  // The prompt is tokenized as the model's tokenizer does on its own (SentencePiece adds its
  // leading space), which is how base models saw text in training.
  if (request.suffix === undefined) return [...begin, ...model.tokenize(request.prompt)];
  const { prefix, suffix, middle } = model.tokens.infill;
  if (prefix == null || suffix == null) {
    throw new UnsupportedFeatureError(`The model '${modelId}' has no fill-in-the-middle tokens, so it cannot complete with a 'suffix'.`, {
      param: 'suffix',
    });
  }
  const prefixTokens = model.tokenize(request.prompt, false, 'trimLeadingSpace');
  const suffixTokens = model.tokenize(request.suffix, false, 'trimLeadingSpace');
  return [...begin, prefix, ...prefixTokens, suffix, ...suffixTokens, ...(middle != null ? [middle] : [])];
}
