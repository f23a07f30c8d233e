import type { ChatHistoryItem, ChatModelFunctionCall, ChatModelResponse } from 'node-llama-cpp';
import { InvalidRequestError, messageText, UnsupportedFeatureError, type AssistantMessage, type ChatMessage } from '@llmux/core';

/**
 * Maps llmux messages onto node-llama-cpp's chat history, ending with the model response that
 * generation fills. An assistant turn with tool calls becomes one model response holding each
 * call with the result its `tool` message returned (matched by `tool_call_id`), rendered in the
 * chat wrapper's native function-call syntax; text the assistant wrote after the results joins
 * that same response. When the conversation ends with tool results, generation continues that
 * response, as the model expects after a call.
 */
export function toChatHistory(messages: readonly ChatMessage[]): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = [];
  let index = 0;
  // The model response that tool results or a following assistant message may still extend.
  let openResponse: ChatModelResponse | undefined;
  while (index < messages.length) {
    const message = messages[index]!;
    switch (message.role) {
      case 'system':
        history.push({ type: 'system', text: message.content });
        openResponse = undefined;
        index++;
        break;
      case 'user':
        if (typeof message.content !== 'string' && message.content.some((part) => part.type === 'image')) {
          throw new UnsupportedFeatureError('This model has no vision support: remove the image_url content parts.', {
            param: `messages[${index}].content`,
          });
        }
        history.push({ type: 'user', text: messageText(message.content) });
        openResponse = undefined;
        index++;
        break;
      case 'assistant': {
        if (!openResponse) {
          openResponse = { type: 'model', response: [] };
          history.push(openResponse);
        }
        if (message.content) openResponse.response.push(message.content);
        const calls = message.toolCalls ?? [];
        if (calls.length === 0) {
          index++;
          openResponse = undefined;
          break;
        }
        const consumed = resultsOf(message, index, messages);
        openResponse.response.push(...consumed.calls);
        index = consumed.next;
        break;
      }
      case 'tool':
        throw new InvalidRequestError(
          `messages[${index}]: a message with role 'tool' must answer a tool call of the assistant message before it.`,
          { param: `messages[${index}]` },
        );
    }
  }
  const last = history.at(-1);
  const continuesCalls = last?.type === 'model' && last === openResponse && last.response.some((item) => typeof item !== 'string');
  if (!continuesCalls) history.push({ type: 'model', response: [] });
  return history;
}

/** The calls of an assistant message with the results of the `tool` messages that follow it. */
function resultsOf(message: AssistantMessage, index: number, messages: readonly ChatMessage[]) {
  const results = new Map<string, string>();
  let next = index + 1;
  for (; next < messages.length; next++) {
    const reply = messages[next]!;
    if (reply.role !== 'tool') break;
    if (!message.toolCalls!.some((call) => call.id === reply.toolCallId)) {
      throw new InvalidRequestError(`messages[${next}]: no tool call with id '${reply.toolCallId}' in messages[${index}].tool_calls.`, {
        param: `messages[${next}].tool_call_id`,
      });
    }
    results.set(reply.toolCallId, reply.content);
  }
  const calls = message.toolCalls!.map((call, position): ChatModelFunctionCall => {
    const result = results.get(call.id);
    if (result === undefined) {
      throw new InvalidRequestError(
        `messages[${index}]: an assistant message with 'tool_calls' must be followed by tool messages answering each 'tool_call_id' (missing '${call.id}').`,
        { param: `messages[${index}].tool_calls[${position}]` },
      );
    }
    return { type: 'functionCall', name: call.name, params: parseArguments(call.arguments, `messages[${index}].tool_calls[${position}].function.arguments`), result: parseResult(result) };
  });
  return { calls, next };
}

function parseArguments(text: string, param: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidRequestError(`'${param}' must be a JSON text.`, { param });
  }
}

/** Tool results are strings on the wire; JSON ones are shown to the model as the JSON they hold. */
function parseResult(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
