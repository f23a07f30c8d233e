import { randomHex, type FinishPart, type ToolCall, type Usage } from '@llmux/core';
import type { Generation } from '../runtime/generation.js';

export type AnthropicStopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use';

export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

export type AnthropicContent =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown };

export function newMessageId(): string {
  return `msg_${randomHex(24)}`;
}

export function toStopReason(finish: FinishPart): AnthropicStopReason {
  if (finish.reason === 'length') return 'max_tokens';
  if (finish.reason === 'tool-calls') return 'tool_use';
  if (finish.stopSequence !== undefined || finish.raw === 'customStopTrigger') return 'stop_sequence';
  return 'end_turn';
}

/**
 * Anthropic counts input as uncached + cache reads + cache writes; llmux's prompt count holds
 * them all, with the cached prefix beside it.
 */
export function toAnthropicUsage(usage: Usage): AnthropicUsage {
  return {
    input_tokens: usage.promptTokens - usage.cachedPromptTokens,
    output_tokens: usage.completionTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: usage.cachedPromptTokens,
  };
}

/** A tool call's arguments as the object Anthropic sends; text that is not a JSON object is kept under `_raw`. */
export function toolInput(call: ToolCall): unknown {
  try {
    const parsed: unknown = JSON.parse(call.arguments || '{}');
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? parsed : { _raw: call.arguments };
  } catch {
    return { _raw: call.arguments };
  }
}

/** The non-streaming Messages response for a collected generation. */
export function toMessageResponse(id: string, model: string, generation: Generation) {
  const content: AnthropicContent[] = [];
  if (generation.text.length > 0) content.push({ type: 'text', text: generation.text });
  for (const call of generation.toolCalls) content.push({ type: 'tool_use', id: call.id, name: call.name, input: toolInput(call) });
  return {
    id,
    type: 'message' as const,
    role: 'assistant' as const,
    model,
    content,
    stop_reason: toStopReason(generation.finish),
    stop_sequence: generation.finish.stopSequence ?? null,
    usage: toAnthropicUsage(generation.finish.usage),
  };
}
