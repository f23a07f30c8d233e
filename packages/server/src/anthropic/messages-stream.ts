import type { StreamPart } from '@llmux/core';
import type { SseWriter } from '../http/sse-writer.js';
import { streamFailure, thrownFailure } from '../runtime/generation.js';
import { toAnthropicError } from './anthropic-error.js';
import { toAnthropicUsage, toStopReason } from './message-shapes.js';

/**
 * Writes one generation as Anthropic's event stream: message_start, then per content block
 * content_block_start / content_block_delta... / content_block_stop (a ping after the first
 * start), then message_delta with the stop reason and usage, and message_stop. A failure
 * after the first byte becomes an `error` event.
 */
export async function writeMessageStream(
  sse: SseWriter,
  identity: { id: string; model: string; requestId: string; promptTokens?: number },
  stream: AsyncIterable<StreamPart>,
  signal: AbortSignal,
): Promise<{ failed: boolean; error?: unknown }> {
  sse.openingEvent('message_start', {
    type: 'message_start',
    message: {
      id: identity.id,
      type: 'message',
      role: 'assistant',
      model: identity.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      // The whole prompt as counted before generating; message_delta carries the final split into fresh and cached.
      usage: { input_tokens: identity.promptTokens ?? 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    },
  });
  let blockIndex = -1;
  let open: { kind: 'text' } | { kind: 'tool'; toolIndex: number } | undefined;
  let pinged = false;
  const ping = () => {
    if (!pinged) sse.event('ping', { type: 'ping' });
    pinged = true;
  };
  const closeBlock = () => {
    if (open) sse.event('content_block_stop', { type: 'content_block_stop', index: blockIndex });
    open = undefined;
  };
  const startBlock = (block: unknown, next: NonNullable<typeof open>) => {
    closeBlock();
    blockIndex += 1;
    open = next;
    sse.event('content_block_start', { type: 'content_block_start', index: blockIndex, content_block: block });
    ping();
  };

  const fail = (failure: ReturnType<typeof thrownFailure>, cause: unknown) => {
    sse.event('error', toAnthropicError(failure, identity.requestId).body);
    sse.end();
    return { failed: true, error: cause };
  };
  try {
    for await (const part of stream) {
      switch (part.type) {
        case 'text-delta':
          if (open?.kind !== 'text') startBlock({ type: 'text', text: '' }, { kind: 'text' });
          sse.event('content_block_delta', { type: 'content_block_delta', index: blockIndex, delta: { type: 'text_delta', text: part.text } });
          break;
        case 'tool-call-start':
          startBlock({ type: 'tool_use', id: part.id, name: part.name, input: {} }, { kind: 'tool', toolIndex: part.index });
          break;
        case 'tool-call-delta':
          if (open?.kind === 'tool' && open.toolIndex === part.index) {
            sse.event('content_block_delta', {
              type: 'content_block_delta',
              index: blockIndex,
              delta: { type: 'input_json_delta', partial_json: part.argumentsDelta },
            });
          }
          break;
        case 'tool-call-end':
          if (open?.kind === 'tool') closeBlock();
          break;
        case 'finish': {
          const failure = streamFailure(part, signal);
          if (failure) return fail(failure, part.reason === 'error' ? part.error : failure);
          closeBlock();
          ping();
          sse.event('message_delta', {
            type: 'message_delta',
            delta: { stop_reason: toStopReason(part), stop_sequence: part.stopSequence ?? null },
            usage: toAnthropicUsage(part.usage),
          });
          sse.event('message_stop', { type: 'message_stop' });
          sse.end();
          return { failed: false };
        }
        default:
          break;
      }
    }
  } catch (error) {
    // A backend that throws instead of finishing with `error` still gets a proper end.
    return fail(thrownFailure(error, signal), error);
  }
  sse.end();
  return { failed: false };
}
