import { InvalidRequestError, UnsupportedFeatureError, type CompletionRequest } from '@llmux/core';
import type { CompletionRequestBody } from './completion-request-schema.js';
import { toSampling, toStop } from './to-chat-request.js';

/** OpenAI's default `max_tokens` for legacy completions. */
export const DEFAULT_COMPLETION_MAX_TOKENS = 16;

/** The prompts of a completion body (one request per prompt, without the routed model id). */
export function toCompletionRequests(body: CompletionRequestBody): Omit<CompletionRequest, 'model'>[] {
  if (body.best_of != null && body.best_of !== (body.n ?? 1)) {
    throw new UnsupportedFeatureError("'best_of' other than 'n' is not supported: send 'n' choices and pick one yourself.", { param: 'best_of' });
  }
  if (body.echo && body.logprobs != null) {
    throw new UnsupportedFeatureError("'echo' with 'logprobs' is not supported: the prompt's own logprobs are not computed.", { param: 'echo' });
  }
  const prompts = promptsOf(body.prompt);
  const stop = toStop(body.stop);
  return prompts.map((prompt) => {
    const request: Omit<CompletionRequest, 'model'> = { prompt, sampling: toSampling(body) };
    if (body.suffix != null) request.suffix = body.suffix;
    if (body.max_tokens != null) request.maxTokens = body.max_tokens;
    if (stop) request.stop = stop;
    if (body.logprobs != null) request.logprobs = { top: body.logprobs };
    if (body.user != null) request.user = body.user;
    return request;
  });
}

function promptsOf(prompt: CompletionRequestBody['prompt']): string[] {
  if (typeof prompt === 'string') return [prompt];
  if (prompt.every((item): item is string => typeof item === 'string')) return prompt;
  throw new UnsupportedFeatureError("Prompts as token ids are not supported: send 'prompt' as a string or an array of strings.", { param: 'prompt' });
}

/** Rejects what only makes sense once the model is known. */
export function checkPromptCount(prompts: number, choices: number): void {
  if (prompts * choices > 128) {
    throw new InvalidRequestError(`${prompts} prompts x ${choices} choices is too many in one request (at most 128).`, { param: 'n' });
  }
}
