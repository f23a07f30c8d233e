import { InvalidRequestError, type ChatMessage, type ChatRequest, type ContentPart, type ResponseFormat, type SamplingOptions, type ToolChoice } from '@llmux/core';
import type { ChatCompletionRequestBody } from './chat-request-schema.js';

/** The normalized request (without the routed model id) for an OpenAI chat body. */
export function toChatRequest(body: ChatCompletionRequestBody): Omit<ChatRequest, 'model'> {
  const request: Omit<ChatRequest, 'model'> = {
    messages: body.messages.map(toMessage),
    sampling: toSampling(body),
  };
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  if (maxTokens != null) request.maxTokens = maxTokens;
  const stop = toStop(body.stop);
  if (stop) request.stop = stop;
  if (body.tools && body.tools.length > 0) {
    request.tools = body.tools.map((tool) => ({
      name: tool.function.name,
      ...(tool.function.description !== undefined ? { description: tool.function.description } : {}),
      ...(tool.function.parameters !== undefined ? { parameters: tool.function.parameters } : {}),
    }));
  }
  if (body.tool_choice != null) request.toolChoice = toToolChoice(body.tool_choice);
  if (body.parallel_tool_calls != null) request.parallelToolCalls = body.parallel_tool_calls;
  if (body.response_format != null) request.responseFormat = toResponseFormat(body.response_format);
  if (body.logprobs) request.logprobs = { top: body.top_logprobs ?? 0 };
  else if (body.top_logprobs != null && body.top_logprobs > 0) {
    throw new InvalidRequestError("'top_logprobs' needs 'logprobs' set to true.", { param: 'top_logprobs' });
  }
  if (body.user != null) request.user = body.user;
  return request;
}

/** OpenAI's `stop` (a string or up to 4) without empty strings; undefined when none is left. */
export function toStop(stop: string | string[] | null | undefined): string[] | undefined {
  if (stop == null) return undefined;
  const stops = (typeof stop === 'string' ? [stop] : stop).filter((text) => text.length > 0);
  return stops.length > 0 ? stops : undefined;
}

/** The sampling fields that chat and legacy completion bodies share. */
export interface SamplingFields {
  temperature?: number | null;
  top_p?: number | null;
  top_k?: number | null;
  min_p?: number | null;
  presence_penalty?: number | null;
  frequency_penalty?: number | null;
  repeat_penalty?: number | null;
  seed?: number | null;
  logit_bias?: Record<string, number> | null;
}

export function toSampling(body: SamplingFields): SamplingOptions {
  const sampling: SamplingOptions = {};
  if (body.temperature != null) sampling.temperature = body.temperature;
  if (body.top_p != null) sampling.topP = body.top_p;
  if (body.top_k != null) sampling.topK = body.top_k;
  if (body.min_p != null) sampling.minP = body.min_p;
  if (body.presence_penalty != null) sampling.presencePenalty = body.presence_penalty;
  if (body.frequency_penalty != null) sampling.frequencyPenalty = body.frequency_penalty;
  if (body.repeat_penalty != null) sampling.repeatPenalty = body.repeat_penalty;
  if (body.seed != null) sampling.seed = body.seed;
  if (body.logit_bias != null) {
    sampling.logitBias = Object.fromEntries(Object.entries(body.logit_bias).map(([token, bias]) => [Number(token), bias]));
  }
  return sampling;
}

type WireMessage = ChatCompletionRequestBody['messages'][number];

function toMessage(message: WireMessage): ChatMessage {
  switch (message.role) {
    case 'system':
    case 'developer':
      return { role: 'system', content: plainText(message.content) };
    case 'user':
      return { role: 'user', content: typeof message.content === 'string' ? message.content : message.content.map(toContentPart) };
    case 'assistant':
      return {
        role: 'assistant',
        content: message.content == null ? '' : plainText(message.content),
        ...(message.tool_calls && message.tool_calls.length > 0
          ? { toolCalls: message.tool_calls.map((call) => ({ id: call.id, name: call.function.name, arguments: call.function.arguments })) }
          : {}),
      };
    case 'tool':
      return { role: 'tool', toolCallId: message.tool_call_id, content: plainText(message.content) };
    case 'function':
      return { role: 'tool', toolCallId: message.name, content: message.content ?? '' };
  }
}

function plainText(content: string | Array<{ type: 'text'; text: string } | { type: 'refusal'; refusal: string }>): string {
  if (typeof content === 'string') return content;
  return content.map((part) => (part.type === 'text' ? part.text : part.refusal)).join('');
}

function toContentPart(part: { type: string; text?: string; image_url?: string | { url: string } }): ContentPart {
  if (part.type === 'text') return { type: 'text', text: part.text ?? '' };
  if (part.type === 'image_url') {
    const url = typeof part.image_url === 'string' ? part.image_url : (part.image_url?.url ?? '');
    return { type: 'image', url };
  }
  throw new InvalidRequestError(`Content parts of type '${part.type}' are not supported: send 'text' parts.`, { param: 'messages' });
}

function toToolChoice(choice: NonNullable<ChatCompletionRequestBody['tool_choice']>): ToolChoice {
  return typeof choice === 'string' ? choice : { name: choice.function.name };
}

function toResponseFormat(format: NonNullable<ChatCompletionRequestBody['response_format']>): ResponseFormat {
  if (format.type !== 'json_schema') return { type: format.type };
  return {
    type: 'json_schema',
    name: format.json_schema.name,
    schema: format.json_schema.schema ?? {},
    ...(format.json_schema.strict != null ? { strict: format.json_schema.strict } : {}),
  };
}
