import { AbortedError, BackendUnavailableError, toLlmuxError, type FinishPart, type LlmuxError, type StreamPart, type ToolCall } from '@llmux/core';
import { STOPPED_BY_SERVER } from '../http/stream-failure.js';
import { serverReason } from '../routes/track-request.js';

/** One generation collected from its parts: what a non-streaming response is built from. */
export interface Generation {
  text: string;
  toolCalls: ToolCall[];
  finish: FinishPart;
}

/**
 * Collects a stream into text, tool calls and its finish. A generation that ended in an error or
 * an abort (or a stream that threw) throws the error the client should get.
 */
export async function collectGeneration(stream: AsyncIterable<StreamPart>, signal: AbortSignal): Promise<Generation> {
  let text = '';
  const toolCalls: ToolCall[] = [];
  try {
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
  } catch (error) {
    throw serverReason(signal) ?? error;
  }
  throw new BackendUnavailableError('The generation ended without a finish.');
}

/**
 * For a collected response: the error behind an `error` or `abort` finish. An abort is the
 * server's reason when it had one (timeout, shutdown), the client's own when it left, else the
 * server stopped the model.
 */
export function collectedFailure(part: FinishPart, signal: AbortSignal): LlmuxError | undefined {
  if (part.reason === 'error') return toLlmuxError(part.error);
  if (part.reason !== 'abort') return undefined;
  const reason = serverReason(signal);
  if (reason) return reason;
  if (signal.aborted) return new AbortedError('The client closed the connection.');
  return new BackendUnavailableError(STOPPED_BY_SERVER);
}

/**
 * For a stream already under way: the error to report in-band for an `error` or `abort` finish.
 * An abort the client did not ask for (timeout, shutdown, unload) is the server's failure.
 */
export function streamFailure(part: FinishPart, signal: AbortSignal): LlmuxError | undefined {
  if (part.reason === 'error') return toLlmuxError(part.error);
  if (part.reason === 'abort') return serverReason(signal) ?? new BackendUnavailableError(STOPPED_BY_SERVER);
  return undefined;
}

/** For a stream that threw instead of finishing: the error to report in-band. */
export function thrownFailure(error: unknown, signal: AbortSignal): LlmuxError {
  return serverReason(signal) ?? toLlmuxError(error);
}
