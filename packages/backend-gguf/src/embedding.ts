import type { LlamaEmbeddingContext, Token } from 'node-llama-cpp';
import { ContextLengthExceededError, InvalidRequestError, type EmbedResult } from '@llmux/core';
import { vocabularySize } from './vocabulary.js';

/**
 * Embeds each input (a text or token ids) with the model's embedding context: one vector per
 * input, in order. llama.cpp pools the vector as the model's metadata says (mean, CLS, last
 * token); generative models without a pooling type get the last token's hidden state.
 * Vectors are scaled to unit length, as OpenAI's are, so a dot product is the cosine similarity.
 */
export async function embedAll(context: LlamaEmbeddingContext, inputs: readonly (string | readonly number[])[], contextSize: number): Promise<EmbedResult> {
  const vocabularyLength = vocabularySize(context.model);
  const embeddings: number[][] = [];
  let promptTokens = 0;
  const resolved = inputs.map((input, index) => {
    if (typeof input !== 'string') {
      const bad = input.find((token) => !Number.isInteger(token) || token < 0 || token >= vocabularyLength);
      if (bad !== undefined) {
        throw new InvalidRequestError(`'input[${index}]' holds token ${bad}, which is not in this model's vocabulary (0-${vocabularyLength - 1}).`, {
          param: `input[${index}]`,
        });
      }
    }
    const tokens = typeof input === 'string' ? input : ([...input] as Token[]);
    const length = context.calculateInputLength(tokens);
    if (length >= contextSize) throw new ContextLengthExceededError(length, contextSize, { param: `input[${index}]` });
    promptTokens += length;
    return tokens;
  });
  for (const tokens of resolved) {
    const embedding = await context.getEmbeddingFor(tokens);
    embeddings.push(normalized(embedding.vector));
  }
  return { embeddings, promptTokens };
}

function normalized(vector: readonly number[]): number[] {
  const norm = Math.hypot(...vector);
  return norm > 0 ? vector.map((value) => value / norm) : [...vector];
}
