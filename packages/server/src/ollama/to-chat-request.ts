import {
  UnsupportedFeatureError,
  type ChatMessage,
  type ChatRequest,
  type CompletionRequest,
  type ResponseFormat,
  type SamplingOptions,
  type ToolCall,
} from '@llmux/core';
import type { OllamaChatRequest, OllamaFormat, OllamaGenerateRequest, OllamaOptions } from './ollama-request-schemas.js';

type Normalized = Omit<ChatRequest, 'model'>;

/** The normalized request for an Ollama `/api/chat` body. */
export function fromChatRequest(body: OllamaChatRequest): Normalized {
  const request: Normalized = { messages: toMessages(body.messages), sampling: {} };
  applyOptions(request, body.options ?? undefined, body.format ?? undefined);
  if (body.tools && body.tools.length > 0) {
    request.tools = body.tools.map((tool) => ({
      name: tool.function.name,
      ...(tool.function.description !== undefined ? { description: tool.function.description } : {}),
      ...(tool.function.parameters !== undefined ? { parameters: tool.function.parameters } : {}),
    }));
  }
  return request;
}

/** What an Ollama `/api/generate` body asks for: a chat turn, or a raw text completion. */
export type GenerateJob = { kind: 'chat'; request: Normalized } | { kind: 'raw'; request: Omit<CompletionRequest, 'model'> };

/**
 * The normalized request for an Ollama `/api/generate` body. The system and the prompt become a
 * chat, so the model's template applies, as Ollama applies it; `raw` (no template) and `suffix`
 * (fill-in-the-middle) become a text completion of the prompt as is.
 */
export function fromGenerateRequest(body: OllamaGenerateRequest): GenerateJob {
  if (body.template) throw new UnsupportedFeatureError("'template' is not supported: the model's own chat template applies.", { param: 'template' });
  if (body.context && body.context.length > 0) {
    throw new UnsupportedFeatureError("'context' is not supported: use /api/chat and send the earlier turns as messages.", { param: 'context' });
  }
  if (body.raw || body.suffix) return { kind: 'raw', request: toCompletion(body) };
  return { kind: 'chat', request: toGenerateChat(body) };
}

function toCompletion(body: OllamaGenerateRequest): Omit<CompletionRequest, 'model'> {
  const param = body.raw ? 'raw' : 'suffix';
  if (body.format) throw new UnsupportedFeatureError(`'format' cannot be combined with '${param}'.`, { param: 'format' });
  if (body.images && body.images.length > 0) throw new UnsupportedFeatureError(`'images' cannot be combined with '${param}'.`, { param: 'images' });
  const shaped: Normalized = { messages: [], sampling: {} };
  applyOptions(shaped, body.options ?? undefined, undefined);
  return {
    prompt: body.prompt,
    ...(body.suffix ? { suffix: body.suffix } : {}),
    sampling: shaped.sampling,
    ...(shaped.maxTokens !== undefined ? { maxTokens: shaped.maxTokens } : {}),
    ...(shaped.stop ? { stop: shaped.stop } : {}),
  };
}

function toGenerateChat(body: OllamaGenerateRequest): Normalized {
  const messages: ChatMessage[] = [];
  if (body.system) messages.push({ role: 'system', content: body.system });
  messages.push(body.images && body.images.length > 0 ? { role: 'user', content: [{ type: 'text', text: body.prompt }, ...images(body.images)] } : { role: 'user', content: body.prompt });
  const request: Normalized = { messages, sampling: {} };
  applyOptions(request, body.options ?? undefined, body.format ?? undefined);
  return request;
}

function applyOptions(request: Normalized, options: OllamaOptions | undefined, format: OllamaFormat | undefined): void {
  if (options) {
    request.sampling = toSampling(options);
    // -1 is "until the model stops", -2 "until the context is full": both are llmux's default.
    if (options.num_predict !== undefined && options.num_predict > 0) request.maxTokens = options.num_predict;
    const stop = options.stop?.filter((s) => s.length > 0);
    if (stop && stop.length > 0) request.stop = stop;
  }
  const responseFormat = toResponseFormat(format);
  if (responseFormat) request.responseFormat = responseFormat;
}

function toSampling(options: OllamaOptions): SamplingOptions {
  const sampling: SamplingOptions = {};
  if (options.temperature !== undefined) sampling.temperature = options.temperature;
  if (options.top_p !== undefined) sampling.topP = options.top_p;
  if (options.top_k !== undefined) sampling.topK = options.top_k;
  if (options.min_p !== undefined) sampling.minP = options.min_p;
  if (options.seed !== undefined) sampling.seed = options.seed;
  if (options.repeat_penalty !== undefined) sampling.repeatPenalty = options.repeat_penalty;
  if (options.presence_penalty !== undefined) sampling.presencePenalty = options.presence_penalty;
  if (options.frequency_penalty !== undefined) sampling.frequencyPenalty = options.frequency_penalty;
  return sampling;
}

/** `"json"` is any JSON object; a schema constrains it, through the same grammar path as OpenAI's `response_format`. */
function toResponseFormat(format: OllamaFormat | undefined): ResponseFormat | undefined {
  if (format === undefined || format === '') return undefined;
  if (format === 'json') return { type: 'json_object' };
  return { type: 'json_schema', name: 'format', schema: format, strict: true };
}

function images(list: readonly string[]) {
  return list.map((data) => ({ type: 'image' as const, url: data.startsWith('data:') ? data : `data:image/*;base64,${data}` }));
}

/**
 * Ollama's tool calls carry no ids: each call gets one here, and each tool message answers the
 * next unanswered call (the one with its `tool_name` when it names one).
 */
function toMessages(messages: OllamaChatRequest['messages']): ChatMessage[] {
  const out: ChatMessage[] = [];
  let pending: ToolCall[] = [];
  let counter = 0;
  for (const message of messages) {
    switch (message.role) {
      case 'system':
        out.push({ role: 'system', content: message.content });
        break;
      case 'user':
        out.push(
          message.images && message.images.length > 0
            ? { role: 'user', content: [{ type: 'text', text: message.content }, ...images(message.images)] }
            : { role: 'user', content: message.content },
        );
        break;
      case 'assistant': {
        const toolCalls = (message.tool_calls ?? []).map((call) => ({
          id: `call_${counter++}`,
          name: call.function.name,
          arguments: JSON.stringify(call.function.arguments),
        }));
        pending = [...toolCalls];
        out.push({ role: 'assistant', content: message.content, ...(toolCalls.length > 0 ? { toolCalls } : {}) });
        break;
      }
      case 'tool': {
        const index = message.tool_name ? pending.findIndex((call) => call.name === message.tool_name) : 0;
        const answered = pending.splice(Math.max(index, 0), 1)[0];
        out.push({ role: 'tool', toolCallId: answered?.id ?? `call_${counter++}`, content: message.content });
        break;
      }
    }
  }
  return out;
}
