import type { LlamaModel, Token } from 'node-llama-cpp';
import { UnsupportedFeatureError, type CompletionRequest } from '@llmux/core';

/**
 * The tokens of a raw completion: the prompt after the model's beginning-of-sequence token, or,
 * with a `suffix`, the model's fill-in-the-middle layout (prefix, suffix, then the middle token
 * the model continues from), which only models with infill tokens have.
 *
 * A prompt's special-token text (`<|im_start|>`, `<|eot_id|>`, `<s>`) becomes those tokens, as in
 * llama-server and vLLM: a prompt formatted by hand in the model's chat template reads as the chat
 * route's. A prompt that starts with the beginning-of-sequence text does not get a second one.
 */
export function completionPrompt(model: LlamaModel, request: CompletionRequest, modelId: string): Token[] {
  const begin = model.tokens.bos != null && model.tokens.shouldPrependBosToken ? [model.tokens.bos] : [];
  // The prompt is tokenized as the model's tokenizer does on its own (SentencePiece adds its
  // leading space), which is how base models saw text in training.
  if (request.suffix === undefined) {
    const tokens = model.tokenize(request.prompt, true);
    return tokens[0] !== undefined && tokens[0] === begin[0] ? tokens : [...begin, ...tokens];
  }
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
