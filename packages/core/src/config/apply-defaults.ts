import type { SamplingOptions } from '../types/request.js';
import type { GenerationDefaults } from './schema.js';

/** The request's sampling with the model's configured defaults filling what the request left out. */
export function withGenerationDefaults(
  sampling: SamplingOptions,
  maxTokens: number | undefined,
  defaults: GenerationDefaults | undefined,
): { sampling: SamplingOptions; maxTokens: number | undefined } {
  if (!defaults) return { sampling, maxTokens };
  const merged: SamplingOptions = { ...sampling };
  merged.temperature ??= defaults.temperature;
  merged.topP ??= defaults.top_p;
  merged.topK ??= defaults.top_k;
  merged.minP ??= defaults.min_p;
  merged.presencePenalty ??= defaults.presence_penalty;
  merged.frequencyPenalty ??= defaults.frequency_penalty;
  merged.repeatPenalty ??= defaults.repeat_penalty;
  for (const key of Object.keys(merged) as (keyof SamplingOptions)[]) if (merged[key] === undefined) delete merged[key];
  return { sampling: merged, maxTokens: maxTokens ?? defaults.max_tokens };
}
