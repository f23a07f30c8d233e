import type { ChatCompletionCreateParamsStreaming, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { ChatMessage, ChatRequest } from '@llmux/core';

/** Sampling fields outside OpenAI's API that llama-server, vLLM and llmux accept; sent only when set. */
interface SamplingExtensions {
  top_k?: number;
  min_p?: number;
  repeat_penalty?: number;
}

/** llmux's normalized request as an OpenAI streaming request for the upstream model `model`. */
export function toOpenAIRequest(request: ChatRequest, model: string): ChatCompletionCreateParamsStreaming & SamplingExtensions {
  const { sampling } = request;
  const params: ChatCompletionCreateParamsStreaming & SamplingExtensions = {
    model,
    messages: request.messages.map(toOpenAIMessage),
    stream: true,
    stream_options: { include_usage: true },
  };
  if (sampling.temperature !== undefined) params.temperature = sampling.temperature;
  if (sampling.topP !== undefined) params.top_p = sampling.topP;
  if (sampling.presencePenalty !== undefined) params.presence_penalty = sampling.presencePenalty;
  if (sampling.frequencyPenalty !== undefined) params.frequency_penalty = sampling.frequencyPenalty;
  if (sampling.seed !== undefined) params.seed = sampling.seed;
  if (sampling.logitBias !== undefined) params.logit_bias = Object.fromEntries(Object.entries(sampling.logitBias));
  if (sampling.topK !== undefined) params.top_k = sampling.topK;
  if (sampling.minP !== undefined) params.min_p = sampling.minP;
  if (sampling.repeatPenalty !== undefined) params.repeat_penalty = sampling.repeatPenalty;
  if (request.maxTokens !== undefined) params.max_tokens = request.maxTokens;
  if (request.stop && request.stop.length > 0) params.stop = request.stop;
  if (request.tools && request.tools.length > 0) {
    params.tools = request.tools.map((tool) => ({
      type: 'function',
      function: {
        name: tool.name,
        ...(tool.description !== undefined ? { description: tool.description } : {}),
        ...(tool.parameters !== undefined ? { parameters: tool.parameters } : {}),
      },
    }));
  }
  if (request.toolChoice !== undefined) {
    params.tool_choice = typeof request.toolChoice === 'string' ? request.toolChoice : { type: 'function', function: { name: request.toolChoice.name } };
  }
  if (request.parallelToolCalls !== undefined) params.parallel_tool_calls = request.parallelToolCalls;
  if (request.responseFormat !== undefined) {
    const format = request.responseFormat;
    params.response_format =
      format.type === 'json_schema'
        ? { type: 'json_schema', json_schema: { name: format.name, schema: format.schema, ...(format.strict !== undefined ? { strict: format.strict } : {}) } }
        : { type: format.type };
  }
  if (request.logprobs) {
    params.logprobs = true;
    params.top_logprobs = request.logprobs.top;
  }
  if (request.user !== undefined) params.user = request.user;
  return params;
}

function toOpenAIMessage(message: ChatMessage): ChatCompletionMessageParam {
  switch (message.role) {
    case 'system':
      return { role: 'system', content: message.content };
    case 'user':
      return {
        role: 'user',
        content:
          typeof message.content === 'string'
            ? message.content
            : message.content.map((part) =>
                part.type === 'text' ? { type: 'text' as const, text: part.text } : { type: 'image_url' as const, image_url: { url: part.url } },
              ),
      };
    case 'assistant':
      return {
        role: 'assistant',
        content: message.content,
        ...(message.toolCalls && message.toolCalls.length > 0
          ? {
              tool_calls: message.toolCalls.map((call) => ({
                id: call.id,
                type: 'function' as const,
                function: { name: call.name, arguments: call.arguments },
              })),
            }
          : {}),
      };
    case 'tool':
      return { role: 'tool', tool_call_id: message.toolCallId, content: message.content };
  }
}
