import { randomHex, type FinishReason, type LogprobsPart, type TokenLogprob, type Usage } from '@llmux/core';

/** The fields every chunk and body of one completion share. */
export interface CompletionIdentity {
  id: string;
  created: number;
  model: string;
}

export function newCompletionIdentity(prefix: string, model: string): CompletionIdentity {
  return { id: `${prefix}-${randomHex(24)}`, created: Math.floor(Date.now() / 1000), model };
}

export interface OpenAIUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number };
  completion_tokens_details: { reasoning_tokens: number };
}

export function toOpenAIUsage(usages: readonly Usage[]): OpenAIUsage {
  // With n > 1 the prompt is counted once, as OpenAI does; completions add up.
  const prompt = usages[0]?.promptTokens ?? 0;
  const cached = usages[0]?.cachedPromptTokens ?? 0;
  const completion = usages.reduce((sum, usage) => sum + usage.completionTokens, 0);
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: cached },
    completion_tokens_details: { reasoning_tokens: 0 },
  };
}

export type OpenAIFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

export function toOpenAIFinishReason(reason: FinishReason): OpenAIFinishReason {
  switch (reason) {
    case 'length':
      return 'length';
    case 'tool-calls':
      return 'tool_calls';
    default:
      return 'stop';
  }
}

export interface OpenAITokenLogprob {
  token: string;
  logprob: number;
  bytes: number[] | null;
}

export type OpenAIContentLogprob = OpenAITokenLogprob & { top_logprobs: OpenAITokenLogprob[] };

/** Chat logprobs entries in OpenAI's shape. */
export function toOpenAIContentLogprobs(part: LogprobsPart): OpenAIContentLogprob[] {
  return part.content.map((entry) => ({ ...toTokenLogprob(entry), top_logprobs: entry.topLogprobs.map(toTokenLogprob) }));
}

function toTokenLogprob(entry: TokenLogprob): OpenAITokenLogprob {
  return { token: entry.token, logprob: entry.logprob, bytes: entry.bytes };
}
