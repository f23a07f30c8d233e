import { randomHex, type FinishPart, type ToolCall, type Usage } from '@llmux/core';
import type { Generation } from '../runtime/generation.js';
import type { ResponsesRequestBody } from './responses-request-schema.js';

export function newItemId(prefix: 'resp' | 'msg' | 'fc'): string {
  return `${prefix}_${randomHex(32)}`;
}

export interface OutputText {
  type: 'output_text';
  text: string;
  annotations: never[];
  logprobs: never[];
}

export interface MessageItem {
  type: 'message';
  id: string;
  status: 'in_progress' | 'completed' | 'incomplete';
  role: 'assistant';
  content: OutputText[];
}

export interface FunctionCallItem {
  type: 'function_call';
  id: string;
  call_id: string;
  name: string;
  arguments: string;
  status: 'in_progress' | 'completed' | 'incomplete';
}

export type OutputItem = MessageItem | FunctionCallItem;

export function outputText(text: string): OutputText {
  return { type: 'output_text', text, annotations: [], logprobs: [] };
}

export function functionCallItem(call: ToolCall, status: FunctionCallItem['status']): FunctionCallItem {
  return { type: 'function_call', id: newItemId('fc'), call_id: call.id, name: call.name, arguments: call.arguments, status };
}

/** The output items of a collected generation: the text as one message, then each function call. */
export function outputItems(generation: Generation): OutputItem[] {
  const items: OutputItem[] = [];
  if (generation.text.length > 0 || generation.toolCalls.length === 0) {
    items.push({ type: 'message', id: newItemId('msg'), status: 'completed', role: 'assistant', content: [outputText(generation.text)] });
  }
  for (const call of generation.toolCalls) items.push(functionCallItem(call, 'completed'));
  return items;
}

export function toResponsesUsage(usage: Usage) {
  return {
    input_tokens: usage.promptTokens,
    input_tokens_details: { cached_tokens: usage.cachedPromptTokens },
    output_tokens: usage.completionTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: usage.promptTokens + usage.completionTokens,
  };
}

export interface ResponseIdentity {
  id: string;
  createdAt: number;
  model: string;
}

type Status = 'in_progress' | 'completed' | 'incomplete' | 'failed';

/**
 * The response object, echoing the request's settings as OpenAI does. `store` is always false:
 * llmux keeps no responses (see docs/api.md).
 */
export function responseObject(
  identity: ResponseIdentity,
  body: ResponsesRequestBody,
  state: { status: Status; output: OutputItem[]; finish?: FinishPart; error?: { code: string; message: string } },
) {
  const incomplete = state.status === 'incomplete';
  return {
    id: identity.id,
    object: 'response' as const,
    created_at: identity.createdAt,
    status: state.status,
    background: false,
    error: state.error ?? null,
    incomplete_details: incomplete ? { reason: 'max_output_tokens' as const } : null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    metadata: body.metadata ?? {},
    model: identity.model,
    output: state.output,
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    store: false,
    temperature: body.temperature ?? 1,
    text: { format: body.text?.format ?? { type: 'text' } },
    tool_choice: body.tool_choice ?? 'auto',
    tools: (body.tools ?? []).map((tool) => ({ strict: true, ...tool })),
    top_p: body.top_p ?? 1,
    truncation: 'disabled' as const,
    usage: state.finish ? toResponsesUsage(state.finish.usage) : null,
    user: body.user ?? null,
  };
}

/** `incomplete` when the output token limit cut the answer, else `completed`. */
export function finalStatus(finish: FinishPart): 'completed' | 'incomplete' {
  return finish.reason === 'length' ? 'incomplete' : 'completed';
}
