import type { LogprobsPart } from '@llmux/core';

/** The legacy completions `logprobs` object of one choice. */
export interface LegacyLogprobs {
  tokens: string[];
  token_logprobs: number[];
  top_logprobs: Record<string, number>[];
  text_offset: number[];
}

export function emptyLegacyLogprobs(): LegacyLogprobs {
  return { tokens: [], token_logprobs: [], top_logprobs: [], text_offset: [] };
}

/**
 * Appends a logprobs part in the legacy shape. `offset` is where the part's first token starts
 * in the choice's text (the echoed prompt included); returns where the next one starts.
 */
export function appendLegacyLogprobs(target: LegacyLogprobs, part: LogprobsPart, offset: number): number {
  let at = offset;
  for (const entry of part.content) {
    target.tokens.push(entry.token);
    target.token_logprobs.push(entry.logprob);
    target.top_logprobs.push(Object.fromEntries(entry.topLogprobs.map((top) => [top.token, top.logprob])));
    target.text_offset.push(at);
    at += entry.token.length;
  }
  return at;
}
