import {
  InvalidRequestError,
  UnsupportedFeatureError,
  type AssistantMessage,
  type ChatMessage,
  type ChatRequest,
  type ContentPart,
  type ResponseFormat,
  type SamplingOptions,
  type ToolChoice,
} from '@llmux/core';
import type { ResponsesContentPart, ResponsesInputItem, ResponsesRequestBody } from './responses-request-schema.js';

/**
 * The normalized request (without the routed model id) for a Responses body. llmux keeps no
 * responses, so everything that needs a stored one is refused with a 400 that says so.
 */
export function toChatRequest(body: ResponsesRequestBody): Omit<ChatRequest, 'model'> {
  rejectStateful(body);
  const messages: ChatMessage[] = [];
  if (body.instructions) messages.push({ role: 'system', content: body.instructions });
  if (typeof body.input === 'string') messages.push({ role: 'user', content: body.input });
  else body.input.forEach((item, index) => appendItem(messages, item, `input[${index}]`));

  const request: Omit<ChatRequest, 'model'> = { messages, sampling: toSampling(body) };
  if (body.max_output_tokens != null) request.maxTokens = body.max_output_tokens;
  const tools = (body.tools ?? []).map((tool, index) => {
    if (tool.type !== 'function' || !('name' in tool)) {
      throw new UnsupportedFeatureError(`Tools of type '${tool.type}' are not supported: llmux runs function tools only.`, { param: `tools[${index}]` });
    }
    const fn = tool as { name: string; description?: string | null; parameters?: Record<string, unknown> | null };
    return {
      name: fn.name,
      ...(fn.description != null ? { description: fn.description } : {}),
      ...(fn.parameters != null ? { parameters: fn.parameters } : {}),
    };
  });
  if (tools.length > 0) request.tools = tools;
  if (body.tool_choice != null) request.toolChoice = toToolChoice(body.tool_choice);
  if (body.parallel_tool_calls != null) request.parallelToolCalls = body.parallel_tool_calls;
  if (body.text?.format) request.responseFormat = toResponseFormat(body.text.format);
  if (body.user != null) request.user = body.user;
  return request;
}

function rejectStateful(body: ResponsesRequestBody): void {
  if (body.previous_response_id) {
    throw new InvalidRequestError(
      "llmux does not store responses, so 'previous_response_id' cannot be used: send the whole conversation in 'input' (earlier output items included).",
      { param: 'previous_response_id' },
    );
  }
  if (body.conversation != null) {
    throw new InvalidRequestError("llmux does not store conversations: send the whole conversation in 'input'.", { param: 'conversation' });
  }
  if (body.background) {
    throw new UnsupportedFeatureError("Background responses are not supported: send the request without 'background'.", { param: 'background' });
  }
}

function toSampling(body: ResponsesRequestBody): SamplingOptions {
  const sampling: SamplingOptions = {};
  if (body.temperature != null) sampling.temperature = body.temperature;
  if (body.top_p != null) sampling.topP = body.top_p;
  return sampling;
}

function appendItem(messages: ChatMessage[], item: ResponsesInputItem, param: string): void {
  if (!('type' in item) || item.type === undefined || item.type === 'message') {
    const message = item as { role: 'user' | 'assistant' | 'system' | 'developer'; content: string | ResponsesContentPart[] };
    appendMessage(messages, message, param);
    return;
  }
  switch (item.type) {
    case 'function_call': {
      const call = item as { call_id: string; name: string; arguments: string };
      // Consecutive calls of one turn belong to one assistant message.
      const last = messages.at(-1);
      const assistant: AssistantMessage = last?.role === 'assistant' ? last : { role: 'assistant', content: '' };
      if (assistant !== last) messages.push(assistant);
      assistant.toolCalls = [...(assistant.toolCalls ?? []), { id: call.call_id, name: call.name, arguments: call.arguments }];
      return;
    }
    case 'function_call_output': {
      const output = item as { call_id: string; output: string | ResponsesContentPart[] };
      messages.push({ role: 'tool', toolCallId: output.call_id, content: typeof output.output === 'string' ? output.output : plainText(output.output, param) });
      return;
    }
    case 'reasoning':
      return;
    case 'item_reference':
      throw new InvalidRequestError("llmux does not store items, so 'item_reference' cannot be used: send the item itself.", { param });
    default:
      throw new UnsupportedFeatureError(`Input items of type '${item.type}' are not supported.`, { param: `${param}.type` });
  }
}

function appendMessage(
  messages: ChatMessage[],
  message: { role: 'user' | 'assistant' | 'system' | 'developer'; content: string | ResponsesContentPart[] },
  param: string,
): void {
  switch (message.role) {
    case 'system':
    case 'developer':
      messages.push({ role: 'system', content: typeof message.content === 'string' ? message.content : plainText(message.content, param) });
      return;
    case 'assistant':
      messages.push({ role: 'assistant', content: typeof message.content === 'string' ? message.content : plainText(message.content, param) });
      return;
    case 'user':
      messages.push({
        role: 'user',
        content: typeof message.content === 'string' ? message.content : message.content.map((part, index) => toContentPart(part, `${param}.content[${index}]`)),
      });
      return;
  }
}

function toContentPart(part: ResponsesContentPart, param: string): ContentPart {
  switch (part.type) {
    case 'input_text':
    case 'output_text':
      return { type: 'text', text: part.text };
    case 'input_image': {
      const url = (part as { image_url?: string | null }).image_url;
      if (!url) throw new UnsupportedFeatureError("Images by 'file_id' are not supported: send 'image_url'.", { param });
      return { type: 'image', url };
    }
    case 'refusal':
      return { type: 'text', text: part.refusal };
    default:
      throw new UnsupportedFeatureError(`Content parts of type '${part.type}' are not supported: send 'input_text' parts.`, { param });
  }
}

function plainText(parts: ResponsesContentPart[], param: string): string {
  return parts
    .map((part, index) => {
      const mapped = toContentPart(part, `${param}.content[${index}]`);
      if (mapped.type !== 'text') throw new UnsupportedFeatureError('Only text is supported here.', { param: `${param}.content[${index}]` });
      return mapped.text;
    })
    .join('');
}

function toToolChoice(choice: NonNullable<ResponsesRequestBody['tool_choice']>): ToolChoice {
  if (typeof choice === 'string') return choice;
  if (choice.type === 'function' && 'name' in choice) return { name: String(choice.name) };
  throw new UnsupportedFeatureError(`tool_choice of type '${choice.type}' is not supported: use 'auto', 'none', 'required' or a function.`, {
    param: 'tool_choice',
  });
}

function toResponseFormat(format: NonNullable<NonNullable<ResponsesRequestBody['text']>['format']>): ResponseFormat {
  if (format.type !== 'json_schema') return { type: format.type };
  return { type: 'json_schema', name: format.name, schema: format.schema, ...(format.strict != null ? { strict: format.strict } : {}) };
}
