import { AbortedError, BackendUnavailableError, toLlmuxError, type FinishPart, type LlmuxError, type StreamPart, type ToolCall } from '@llmux/core';
import { STOPPED_BY_SERVER } from '../http/stream-failure.js';

/** One generation collected from its parts: what a non-streaming response is built from. */
export interface Generation {
  text: string;
  toolCalls: ToolCall[];
  finish: FinishPart;
}

/**
 * Collects a stream into text, tool calls and its finish. A generation that ended in an error or
 * an abort throws the error the client should get.
 */
export async function collectGeneration(stream: AsyncIterable<StreamPart>, signal: AbortSignal): Promise<Generation> {
  let text = '';
  const toolCalls: ToolCall[] = [];
  for await (const part of stream) {
    switch (part.type) {
      case 'text-delta':
        text += part.text;
        break;
      case 'tool-call-start':
        toolCalls[part.index] = { id: part.id, name: part.name, arguments: '' };
        break;
      case 'tool-call-delta':
        if (toolCalls[part.index]) toolCalls[part.index]!.arguments += part.argumentsDelta;
        break;
      case 'finish': {
        const failure = collectedFailure(part, signal);
        if (failure) throw failure;
        return { text, toolCalls: toolCalls.filter(Boolean), finish: part };
      }
      default:
        break;
    }
  }
  throw new BackendUnavailableError('The generation ended without a finish.');
}

/** For a collected response: the error behind an `error` or `abort` finish (the client's own abort stays one). */
export function collectedFailure(part: FinishPart, signal: AbortSignal): LlmuxError | undefined {
  if (part.reason === 'error') return toLlmuxError(part.error);
  if (part.reason !== 'abort') return undefined;
  if (signal.aborted && signal.reason instanceof AbortedError) return signal.reason;
  return new BackendUnavailableError(STOPPED_BY_SERVER);
}

/**
 * For a stream already under way: the error to report in-band for an `error` or `abort` finish.
 * An abort the client did not ask for (shutdown, unload) is the server's failure, not the client's.
 */
export function streamFailure(part: FinishPart): LlmuxError | undefined {
  if (part.reason === 'error') return toLlmuxError(part.error);
  if (part.reason === 'abort') return new BackendUnavailableError(STOPPED_BY_SERVER);
  return undefined;
}
