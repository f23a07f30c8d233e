import { TokenBias, type LLamaChatGenerateResponseOptions, type LLamaContextualRepeatPenalty, type LlamaModel, type Token } from 'node-llama-cpp';
import { InvalidRequestError, type SamplingOptions } from '@llmux/core';
import { vocabularySize } from './vocabulary.js';

export type EngineSampling = Pick<
  LLamaChatGenerateResponseOptions,
  'temperature' | 'topP' | 'topK' | 'minP' | 'seed' | 'repeatPenalty'
>;

/**
 * OpenAI's sampling semantics on node-llama-cpp, whose defaults differ: OpenAI samples with
 * temperature 1 and top_p 1 over the whole vocabulary and applies no penalty unless asked;
 * node-llama-cpp defaults to greedy, top-k 40 and a 1.1 repeat penalty. Every field is set.
 */
export function toEngineSampling(sampling: SamplingOptions, contextSize: number): EngineSampling {
  const temperature = sampling.temperature ?? 1;
  const result: EngineSampling = {
    temperature,
    topP: sampling.topP ?? 1,
    topK: sampling.topK ?? 0,
    minP: sampling.minP ?? 0,
    repeatPenalty: toRepeatPenalty(sampling, contextSize),
  };
  if (sampling.seed !== undefined) result.seed = sampling.seed;
  return result;
}

function toRepeatPenalty(sampling: SamplingOptions, contextSize: number): LLamaContextualRepeatPenalty | false {
  const presencePenalty = sampling.presencePenalty ?? 0;
  const frequencyPenalty = sampling.frequencyPenalty ?? 0;
  const penalty = sampling.repeatPenalty ?? 1;
  if (presencePenalty === 0 && frequencyPenalty === 0 && penalty === 1) return false;
  // OpenAI penalizes by every token generated so far (at most a context's worth), newlines included.
  return { penalty, presencePenalty, frequencyPenalty, lastTokens: contextSize, penalizeNewLine: true };
}

/**
 * OpenAI's `logit_bias` (token id -> -100..100 added to its logit) as node-llama-cpp's token
 * bias. Ids outside the vocabulary are a client error, caught here before they reach llama.cpp.
 */
export function toTokenBias(model: LlamaModel, logitBias: Record<number, number>): TokenBias {
  const vocabularyLength = vocabularySize(model);
  const bias = new TokenBias(model.tokenizer);
  for (const [id, value] of Object.entries(logitBias)) {
    const token = Number(id);
    if (!Number.isInteger(token) || token < 0 || token >= vocabularyLength) {
      throw new InvalidRequestError(`'logit_bias' names token ${id}, which is not in this model's vocabulary (0-${vocabularyLength - 1}).`, {
        param: 'logit_bias',
      });
    }
    bias.set(token as Token, { logit: value });
  }
  return bias;
}
