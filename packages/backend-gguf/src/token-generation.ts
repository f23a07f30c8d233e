import {
  LlamaGrammarEvaluationState,
  LlamaText,
  type LlamaContextSequence,
  type LlamaGrammar,
  type LlamaModel,
  type SequenceEvaluateOptions,
  type Token,
  type TokenBias,
} from 'node-llama-cpp';
import type { AsyncChannel, FinishReason, SamplingOptions, StreamPart, TokenLogprob, Usage } from '@llmux/core';
import { prefillPrompt } from './prompt-prefill.js';
import { TextStops } from './text-stops.js';
import { TokenDetokenizer } from './token-detokenizer.js';

/** What a token-by-token generation needs. */
export interface TokenGenerationRequest {
  /** The whole prompt; the sequence keeps the prefix it already holds. */
  prompt: readonly Token[];
  sampling: SamplingOptions;
  maxTokens: number;
  /** The request's stop strings: generation ends before them, they are not returned, and the one met is reported. */
  stop: readonly string[];
  /** Texts that end generation like an end-of-generation token (a chat template's end of turn): not returned, not reported. */
  endTexts?: readonly string[];
  /** Tokens that end generation besides the model's end-of-generation tokens. */
  stopTokens?: ReadonlySet<Token>;
  /** Report each token's logprob with this many alternatives. */
  logprobs?: { top: number };
  grammar?: LlamaGrammar;
  /** `logit_bias`, already checked against the vocabulary. */
  tokenBias?: TokenBias;
  /** Told how long the prompt's new tokens took to evaluate, up to the first generated token. */
  onPrefill?: (tokens: number, ms: number) => void;
}

/** OpenAI's logprob for a token the sampler could not pick. */
const IMPOSSIBLE = -9999;

/**
 * Generates on a leased sequence one token at a time from a prompt already rendered and
 * tokenized: raw completions, and chats that call no tools (LlamaChat, which would render and
 * tokenize the history again and parse each token for function calls, drives the rest). It keeps
 * the cached prompt prefix, samples with OpenAI's parameters, decodes without splitting UTF-8
 * characters, holds text back while it may be a stop string, and, when asked, releases each
 * token's logprob together with its text (LlamaChat and LlamaCompletion do not expose them).
 * The logprobs are those of the distribution the token was drawn from (after temperature,
 * logit_bias and any grammar); with OpenAI's defaults (temperature 1, top_p 1) that is the
 * model's own distribution.
 */
export async function generateTokens(
  model: LlamaModel,
  sequence: LlamaContextSequence,
  request: TokenGenerationRequest,
  signal: AbortSignal,
  channel: AsyncChannel<StreamPart>,
): Promise<void> {
  const prompt = [...request.prompt];
  const started = performance.now();
  // Keep what the sequence already holds of the prompt, but always evaluate the last prompt
  // token again: its logits choose the first generated token.
  const prefill = await prefillPrompt(sequence, prompt, signal);
  const cachedPromptTokens = prefill.cachedTokens;
  const generated: Token[] = [];
  const usage = (): Usage => ({ promptTokens: prompt.length, cachedPromptTokens, completionTokens: generated.length });

  const detokenizer = new TokenDetokenizer(model, prompt);
  // A grammar's text may end in whitespace that it allows forever: node-llama-cpp ends such
  // generations with the grammar's own stop triggers and trims the whitespace, and so does this.
  const grammarStops = (request.grammar?.stopGenerationTriggers ?? []).flatMap((trigger) => {
    const values = typeof trigger === 'string' ? [trigger] : trigger instanceof LlamaText ? trigger.values : trigger;
    return values.every((value) => typeof value === 'string') ? [values.join('')] : [];
  });
  const stops = new TextStops([...request.stop, ...(request.endTexts ?? []), ...grammarStops]);
  const trimmer = request.grammar?.trimWhitespaceSuffix ? new WhitespaceSuffix() : undefined;
  const pendingLogprobs: Array<{ end: number; entry: TokenLogprob & { topLogprobs: TokenLogprob[] } }> = [];
  let producedChars = 0;
  let releasedChars = 0;
  // A token's logprob goes out right before the text that completes it, so a client can pair them.
  const release = (text: string, all: boolean) => {
    releasedChars += text.length;
    const ready: Array<TokenLogprob & { topLogprobs: TokenLogprob[] }> = [];
    while (pendingLogprobs.length > 0 && (all || pendingLogprobs[0]!.end <= releasedChars)) ready.push(pendingLogprobs.shift()!.entry);
    if (ready.length > 0) channel.push({ type: 'logprobs', content: ready });
    if (text) channel.push({ type: 'text-delta', text });
  };

  const top = request.logprobs?.top ?? 0;
  // `_llmuxMaxTokens` (patches/node-llama-cpp@3.22.1.patch): the most tokens this loop takes, so that no greedy step
  // or decode ahead works on a token past them
  const options: SequenceEvaluateOptions & { _llmuxMaxTokens: number } = {
    temperature: request.sampling.temperature ?? 1,
    topP: request.sampling.topP ?? 1,
    topK: request.sampling.topK ?? 0,
    minP: request.sampling.minP ?? 0,
    ...(request.sampling.seed !== undefined ? { seed: request.sampling.seed } : {}),
    ...(request.tokenBias ? { tokenBias: request.tokenBias } : {}),
    ...(request.grammar ? { grammarEvaluationState: new LlamaGrammarEvaluationState({ model, grammar: request.grammar }) } : {}),
    ...penaltyFor(request.sampling, generated),
    // The end-of-generation token is handed over, not swallowed: it ends the loop with reason 'stop'.
    yieldEogToken: true,
    _llmuxMaxTokens: request.maxTokens,
  };
  let reason: FinishReason = prefill.aborted ? 'abort' : 'length';
  let raw = prefill.aborted ? 'abort' : 'maxTokens';
  if (request.maxTokens > 0 && !prefill.aborted) {
    // The full distribution costs a sort of the vocabulary per token: asked for only with top_logprobs.
    const outputs = sequence.evaluateWithMetadata(prompt.slice(sequence.nextTokenIndex), { confidence: request.logprobs !== undefined, probabilities: top > 0 }, options) as AsyncGenerator<{
      token: Token;
      confidence: number;
      probabilities?: Map<Token, number>;
    }>;
    for await (const output of outputs) {
      if (generated.length === 0) request.onPrefill?.(prompt.length - cachedPromptTokens, performance.now() - started);
      const token = output.token;
      if (model.isEogToken(token) || request.stopTokens?.has(token)) {
        reason = 'stop';
        raw = 'eogToken';
        break;
      }
      generated.push(token);
      if (request.logprobs) {
        // Each token is spelled after the tokens before it, as it appears in the text.
        const before = [...request.prompt.slice(-8), ...generated.slice(-9, -1)];
        const entry = { ...tokenLogprob(model, token, output.confidence, before), topLogprobs: topLogprobs(model, output.probabilities, top, before) };
        pendingLogprobs.push({ end: producedChars + detokenizedLength(model, token, before), entry });
      }
      const text = detokenizer.push(token);
      producedChars += text.length;
      release(trimmer ? trimmer.push(stops.push(text)) : stops.push(text), false);
      if (stops.stopped) {
        reason = 'stop';
        raw = request.stop.includes(stops.matched!) ? 'customStopTrigger' : 'stopGenerationTrigger';
        break;
      }
      if (signal.aborted) {
        reason = 'abort';
        raw = 'abort';
        break;
      }
      if (generated.length >= request.maxTokens) break;
    }
  }
  if (trimmer) release(trimmer.push(stops.flush()), false);
  else if (!stops.stopped) release(stops.flush(), true);
  channel.push({ type: 'finish', reason, raw, usage: usage(), ...(raw === 'customStopTrigger' ? { stopSequence: stops.matched! } : {}) });
}

/** Holds trailing whitespace back until text follows it; what is held at the end is dropped. */
class WhitespaceSuffix {
  private held = '';

  push(text: string): string {
    const combined = this.held + text;
    const body = combined.trimEnd();
    this.held = combined.slice(body.length);
    return body;
  }
}

function penaltyFor(sampling: SamplingOptions, generated: Token[]): Pick<SequenceEvaluateOptions, 'repeatPenalty'> {
  const presencePenalty = sampling.presencePenalty ?? 0;
  const frequencyPenalty = sampling.frequencyPenalty ?? 0;
  const penalty = sampling.repeatPenalty ?? 1;
  if (presencePenalty === 0 && frequencyPenalty === 0 && penalty === 1) return {};
  return { repeatPenalty: { punishTokens: () => generated, penalty, presencePenalty, frequencyPenalty } };
}

function detokenizedLength(model: LlamaModel, token: Token, before: readonly Token[]): number {
  return model.detokenize([token], false, before).length;
}

function tokenLogprob(model: LlamaModel, token: Token, probability: number | undefined, before: readonly Token[]): TokenLogprob {
  // Special tokens (an end-of-turn among the alternatives) have no text: they are shown by name.
  const text = model.detokenize([token], false, before) || model.detokenize([token], true, before);
  return { token: text, logprob: toLogprob(probability), bytes: [...Buffer.from(text, 'utf8')] };
}

function topLogprobs(model: LlamaModel, probabilities: Map<Token, number> | undefined, top: number, before: readonly Token[]): TokenLogprob[] {
  if (!probabilities || top === 0) return [];
  const out: TokenLogprob[] = [];
  // The map is sorted from the most to the least likely token.
  for (const [token, probability] of probabilities) {
    if (out.length >= top) break;
    out.push(tokenLogprob(model, token, probability, before));
  }
  return out;
}

function toLogprob(probability: number | undefined): number {
  if (probability === undefined || probability <= 0) return IMPOSSIBLE;
  return Math.log(probability);
}
