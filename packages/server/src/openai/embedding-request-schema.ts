import { z } from 'zod';

const tokenIds = z.array(z.int().min(0)).min(1);
const text = z.string().min(1, 'inputs must not be empty strings');

/** `POST /v1/embeddings`; unknown fields are ignored, as OpenAI does. */
export const embeddingRequestSchema = z.object({
  model: z.string().min(1),
  input: z.union([text, z.array(text).min(1).max(2048), tokenIds, z.array(tokenIds).min(1).max(2048)]),
  encoding_format: z.enum(['float', 'base64']).nullish(),
  dimensions: z.int().min(1).nullish(),
  user: z.string().nullish(),
});

export type EmbeddingRequestBody = z.output<typeof embeddingRequestSchema>;

/** The inputs as a list: one string, strings, one token array or token arrays. */
export function embeddingInputs(input: EmbeddingRequestBody['input']): string[] | number[][] {
  if (typeof input === 'string') return [input];
  if (input.every((item): item is string => typeof item === 'string')) return input;
  if (input.every((item): item is number => typeof item === 'number')) return [input];
  return input as number[][];
}
