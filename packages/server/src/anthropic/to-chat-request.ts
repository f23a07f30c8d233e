import {
  InvalidRequestError,
  UnsupportedFeatureError,
  type ChatMessage,
  type ChatRequest,
  type ContentPart,
  type SamplingOptions,
  type ToolCall,
  type ToolChoice,
} from '@llmux/core';
import type { AnthropicContentBlock, CountTokensRequestBody, MessagesRequestBody } from './messages-request-schema.js';

type WireMessage = MessagesRequestBody['messages'][number];

/** The normalized request (without the routed model id) for an Anthropic Messages body. */
export function toChatRequest(body: MessagesRequestBody): Omit<ChatRequest, 'model'> {
  const request = toPromptRequest(body);
  request.maxTokens = body.max_tokens;
  request.sampling = toSampling(body);
  const stop = body.stop_sequences?.filter((s) => s.length > 0);
  if (stop && stop.length > 0) request.stop = stop;
  if (body.metadata?.user_id) request.user = body.metadata.user_id;
  return request;
}

/** The prompt part of a request (system, messages, tools): what `count_tokens` measures. */
export function toPromptRequest(body: CountTokensRequestBody): Omit<ChatRequest, 'model'> {
  const last = body.messages.at(-1)!;
  if (last.role === 'assistant') {
    throw new UnsupportedFeatureError(
      'Prefilling the answer (a last message with role "assistant") is not supported: end the messages with a "user" message.',
      { param: `messages[${body.messages.length - 1}].role` },
    );
  }
  const messages: ChatMessage[] = [];
  if (body.system !== undefined) {
    const system = typeof body.system === 'string' ? body.system : body.system.map((block) => block.text).join('\n');
    if (system.length > 0) messages.push({ role: 'system', content: system });
  }
  body.messages.forEach((message, index) => messages.push(...toMessages(message, index)));
  const request: Omit<ChatRequest, 'model'> = { messages, sampling: {} };
  if (body.tools && body.tools.length > 0) {
    request.tools = body.tools.map((tool) => ({
      name: tool.name,
      ...(tool.description !== undefined ? { description: tool.description } : {}),
      parameters: tool.input_schema,
    }));
  }
  if (body.tool_choice) {
    request.toolChoice = toToolChoice(body.tool_choice);
    if ('disable_parallel_tool_use' in body.tool_choice && body.tool_choice.disable_parallel_tool_use) request.parallelToolCalls = false;
  }
  return request;
}

function toSampling(body: MessagesRequestBody): SamplingOptions {
  const sampling: SamplingOptions = {};
  if (body.temperature !== undefined) sampling.temperature = body.temperature;
  if (body.top_p !== undefined) sampling.topP = body.top_p;
  if (body.top_k !== undefined) sampling.topK = body.top_k;
  return sampling;
}

function toToolChoice(choice: NonNullable<MessagesRequestBody['tool_choice']>): ToolChoice {
  switch (choice.type) {
    case 'auto':
      return 'auto';
    case 'any':
      return 'required';
    case 'none':
      return 'none';
    case 'tool':
      return { name: choice.name };
  }
}

function toMessages(message: WireMessage, index: number): ChatMessage[] {
  if (typeof message.content === 'string') {
    return [message.role === 'user' ? { role: 'user', content: message.content } : { role: 'assistant', content: message.content }];
  }
  return message.role === 'user' ? userMessages(message.content, index) : [assistantMessage(message.content, index)];
}

/** Tool results become tool messages (Anthropic puts them first in the user turn); the rest is the user's text. */
function userMessages(blocks: AnthropicContentBlock[], index: number): ChatMessage[] {
  const messages: ChatMessage[] = [];
  const parts: ContentPart[] = [];
  blocks.forEach((block, position) => {
    const param = `messages[${index}].content[${position}]`;
    switch (block.type) {
      case 'text':
        parts.push({ type: 'text', text: block.text });
        break;
      case 'image':
        parts.push({ type: 'image', url: block.source.type === 'url' ? block.source.url : `data:${block.source.media_type};base64,${block.source.data}` });
        break;
      case 'tool_result':
        messages.push({ role: 'tool', toolCallId: block.tool_use_id, content: toolResultText(block.content, param) });
        break;
      case 'tool_use':
        throw new InvalidRequestError('tool_use blocks belong in "assistant" messages.', { param });
      default:
        break;
    }
  });
  if (parts.length > 0) messages.push({ role: 'user', content: parts.every((part) => part.type === 'text') ? parts.map((p) => p.text).join('') : parts });
  return messages;
}

function assistantMessage(blocks: AnthropicContentBlock[], index: number): ChatMessage {
  let text = '';
  const toolCalls: ToolCall[] = [];
  blocks.forEach((block, position) => {
    switch (block.type) {
      case 'text':
        text += block.text;
        break;
      case 'tool_use':
        toolCalls.push({ id: block.id, name: block.name, arguments: JSON.stringify(block.input) });
        break;
      case 'image':
      case 'tool_result':
        throw new InvalidRequestError(`${block.type} blocks belong in "user" messages.`, { param: `messages[${index}].content[${position}]` });
      default:
        break;
    }
  });
  return { role: 'assistant', content: text, ...(toolCalls.length > 0 ? { toolCalls } : {}) };
}

function toolResultText(content: Extract<AnthropicContentBlock, { type: 'tool_result' }>['content'], param: string): string {
  if (content === undefined) return '';
  if (typeof content === 'string') return content;
  return content
    .map((block) => {
      if (block.type === 'image') throw new UnsupportedFeatureError('Images in tool results are not supported: send text.', { param });
      return block.text;
    })
    .join('');
}
