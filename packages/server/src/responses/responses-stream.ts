import type { StreamPart } from '@llmux/core';
import type { SseWriter } from '../http/sse-writer.js';
import { toHttpError } from '../http/error-response.js';
import { streamFailure, thrownFailure } from '../runtime/generation.js';
import type { ResponsesRequestBody } from './responses-request-schema.js';
import {
  finalStatus,
  newItemId,
  outputText,
  responseObject,
  type FunctionCallItem,
  type MessageItem,
  type OutputItem,
  type ResponseIdentity,
} from './response-shapes.js';

/**
 * Writes one generation as the Responses API's typed event stream: response.created and
 * response.in_progress, then per output item output_item.added, its content / argument
 * deltas and dones, output_item.done, and finally response.completed (or response.incomplete
 * when max_output_tokens cut it). Every event carries a growing `sequence_number`.
 */
export async function writeResponseStream(
  sse: SseWriter,
  identity: ResponseIdentity & { requestId: string },
  body: ResponsesRequestBody,
  stream: AsyncIterable<StreamPart>,
  signal: AbortSignal,
): Promise<{ failed: boolean; error?: unknown }> {
  let sequence = 0;
  const numbered = (type: string, payload: Record<string, unknown>) => ({ type, sequence_number: sequence++, ...payload });
  const emit = (type: string, payload: Record<string, unknown>) => sse.event(type, numbered(type, payload));
  const output: OutputItem[] = [];
  let message: MessageItem | undefined;
  let call: { item: FunctionCallItem; index: number } | undefined;

  const snapshot = (status: 'in_progress') => responseObject(identity, body, { status, output: [] });
  // the opening waits for the first output (see OpeningHold)
  sse.openingEvent('response.created', numbered('response.created', { response: snapshot('in_progress') }));
  sse.openingEvent('response.in_progress', numbered('response.in_progress', { response: snapshot('in_progress') }));

  const openMessage = (): MessageItem => {
    if (message) return message;
    closeCall();
    message = { type: 'message', id: newItemId('msg'), status: 'in_progress', role: 'assistant', content: [] };
    output.push(message);
    emit('response.output_item.added', { output_index: output.length - 1, item: { ...message, content: [] } });
    emit('response.content_part.added', { item_id: message.id, output_index: output.length - 1, content_index: 0, part: outputText('') });
    message.content.push(outputText(''));
    return message;
  };
  const closeMessage = () => {
    if (!message) return;
    const index = output.indexOf(message);
    const part = message.content[0]!;
    emit('response.output_text.done', { item_id: message.id, output_index: index, content_index: 0, text: part.text, logprobs: [] });
    emit('response.content_part.done', { item_id: message.id, output_index: index, content_index: 0, part });
    message.status = 'completed';
    emit('response.output_item.done', { output_index: index, item: message });
    message = undefined;
  };
  const closeCall = () => {
    if (!call) return;
    const { item, index } = call;
    emit('response.function_call_arguments.done', { item_id: item.id, output_index: index, name: item.name, arguments: item.arguments });
    item.status = 'completed';
    emit('response.output_item.done', { output_index: index, item });
    call = undefined;
  };

  const fail = (failure: ReturnType<typeof thrownFailure>, cause: unknown) => {
    const { body: error } = toHttpError(failure, identity.requestId);
    emit('error', { code: error.error.code, message: error.error.message, param: error.error.param });
    emit('response.failed', {
      response: responseObject(identity, body, { status: 'failed', output, error: { code: error.error.code ?? 'server_error', message: error.error.message } }),
    });
    sse.end();
    return { failed: true, error: cause };
  };
  try {
    for await (const part of stream) {
      switch (part.type) {
        case 'text-delta': {
          const item = openMessage();
          item.content[0]!.text += part.text;
          emit('response.output_text.delta', { item_id: item.id, output_index: output.indexOf(item), content_index: 0, delta: part.text, logprobs: [] });
          break;
        }
        case 'tool-call-start': {
          closeMessage();
          closeCall();
          const item: FunctionCallItem = { type: 'function_call', id: newItemId('fc'), call_id: part.id, name: part.name, arguments: '', status: 'in_progress' };
          output.push(item);
          call = { item, index: output.length - 1 };
          emit('response.output_item.added', { output_index: call.index, item: { ...item } });
          break;
        }
        case 'tool-call-delta':
          if (call) {
            call.item.arguments += part.argumentsDelta;
            emit('response.function_call_arguments.delta', { item_id: call.item.id, output_index: call.index, delta: part.argumentsDelta });
          }
          break;
        case 'tool-call-end':
          closeCall();
          break;
        case 'finish': {
          const failure = streamFailure(part, signal);
          if (failure) return fail(failure, part.reason === 'error' ? part.error : failure);
          if (output.length === 0) openMessage();
          closeMessage();
          closeCall();
          const status = finalStatus(part);
          emit(status === 'completed' ? 'response.completed' : 'response.incomplete', {
            response: responseObject(identity, body, { status, output, finish: part }),
          });
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
