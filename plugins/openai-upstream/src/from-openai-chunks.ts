import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import type { FinishPart, FinishReason, StreamPart, Usage } from '@llmux/core';

/** Reasoning text as llama-server, vLLM and DeepSeek stream it (not part of OpenAI's types). */
interface ReasoningDelta {
  reasoning_content?: string | null;
  reasoning?: string | null;
}

/**
 * Turns upstream chunks into llmux parts as they arrive (one chunk, its parts, at once). The finish
 * part waits for the end of the stream, because the usage chunk comes after the finish reason.
 */
export class ChunkMapper {
  private finishReason: string | undefined;
  private usage: Usage | undefined;
  private completionParts = 0;
  private readonly openToolCalls = new Set<number>();

  /** The parts one chunk carries (of choice 0: llmux asks for one choice per upstream request). */
  map(chunk: ChatCompletionChunk): StreamPart[] {
    const parts: StreamPart[] = [];
    if (chunk.usage) {
      this.usage = {
        promptTokens: chunk.usage.prompt_tokens,
        cachedPromptTokens: chunk.usage.prompt_tokens_details?.cached_tokens ?? 0,
        completionTokens: chunk.usage.completion_tokens,
      };
    }
    const choice = chunk.choices[0];
    if (!choice) return parts;
    const delta = choice.delta as typeof choice.delta & ReasoningDelta;
    const reasoning = delta.reasoning_content ?? delta.reasoning;
    if (reasoning) parts.push({ type: 'reasoning-delta', text: reasoning });
    if (delta.content) parts.push({ type: 'text-delta', text: delta.content });
    for (const call of delta.tool_calls ?? []) {
      if (!this.openToolCalls.has(call.index)) {
        this.openToolCalls.add(call.index);
        parts.push({ type: 'tool-call-start', index: call.index, id: call.id ?? `call_${call.index}`, name: call.function?.name ?? '' });
      }
      if (call.function?.arguments) parts.push({ type: 'tool-call-delta', index: call.index, argumentsDelta: call.function.arguments });
    }
    if (choice.logprobs?.content) {
      parts.push({
        type: 'logprobs',
        content: choice.logprobs.content.map((entry) => ({
          token: entry.token,
          logprob: entry.logprob,
          bytes: entry.bytes ?? [],
          topLogprobs: entry.top_logprobs.map((top) => ({ token: top.token, logprob: top.logprob, bytes: top.bytes ?? [] })),
        })),
      });
    }
    if (choice.finish_reason) {
      parts.push(...this.closeToolCalls());
      this.finishReason = choice.finish_reason;
    }
    this.completionParts += parts.filter((part) => part.type === 'text-delta' || part.type === 'tool-call-delta').length;
    return parts;
  }

  /** The last parts: open tool calls closed, then the finish part. */
  finish(override?: { reason: FinishReason; raw: string; error?: unknown }): StreamPart[] {
    const raw = override?.raw ?? this.finishReason ?? 'end-of-stream';
    const part: FinishPart = {
      type: 'finish',
      reason: override?.reason ?? toFinishReason(this.finishReason),
      raw,
      // Without a usage chunk (upstreams that ignore stream_options), count chunks as tokens.
      usage: this.usage ?? { promptTokens: 0, cachedPromptTokens: 0, completionTokens: this.completionParts },
    };
    if (override?.error !== undefined) part.error = override.error;
    return [...this.closeToolCalls(), part];
  }

  private closeToolCalls(): StreamPart[] {
    const parts: StreamPart[] = [...this.openToolCalls].map((index) => ({ type: 'tool-call-end' as const, index }));
    this.openToolCalls.clear();
    return parts;
  }
}

function toFinishReason(reason: string | undefined): FinishReason {
  switch (reason) {
    case 'length':
      return 'length';
    case 'tool_calls':
    case 'function_call':
      return 'tool-calls';
    default:
      // stop, content_filter, or a stream that ended without saying why.
      return 'stop';
  }
}
