import type { Response } from 'express';
import { describe, expect, it } from 'vitest';
import { GenerationError, type StreamPart } from '@llmux/core';
import { SseWriter } from './http/sse-writer.js';
import { writeMessageStream } from './anthropic/messages-stream.js';
import { writeResponseStream } from './responses/responses-stream.js';
import { responsesRequestSchema } from './responses/responses-request-schema.js';

/** Records what an SseWriter writes, as (event, data) pairs. */
function recordingSse(): { sse: SseWriter; events: () => Array<{ event: string; data: Record<string, unknown> }> } {
  let text = '';
  let ended = false;
  const res = {
    status: () => res,
    setHeader: () => res,
    flushHeaders: () => undefined,
    write: (chunk: string) => (text += chunk, true),
    end: (chunk?: string) => {
      if (chunk) text += chunk;
      ended = true;
    },
    get writableEnded() {
      return ended;
    },
    destroyed: false,
  };
  const events = () =>
    text
      .split('\n\n')
      .filter(Boolean)
      .map((block) => ({ event: /^event: (.+)$/m.exec(block)?.[1] ?? '', data: JSON.parse(/^data: (.+)$/m.exec(block)![1]!) as Record<string, unknown> }));
  return { sse: new SseWriter(res as unknown as Response), events };
}

async function* parts(list: StreamPart[]): AsyncIterable<StreamPart> {
  yield* list;
}

const usage = { promptTokens: 10, cachedPromptTokens: 4, completionTokens: 7 };
const textThenCall: StreamPart[] = [
  { type: 'text-delta', text: 'Let me ' },
  { type: 'text-delta', text: 'check.' },
  { type: 'tool-call-start', index: 0, id: 'call_1', name: 'get_weather' },
  { type: 'tool-call-delta', index: 0, argumentsDelta: '{"city":' },
  { type: 'tool-call-delta', index: 0, argumentsDelta: '"Paris"}' },
  { type: 'tool-call-end', index: 0 },
  { type: 'finish', reason: 'tool-calls', raw: 'functionCalls', usage },
];
const failing: StreamPart[] = [
  { type: 'text-delta', text: 'Once' },
  { type: 'finish', reason: 'error', raw: 'error', usage, error: new GenerationError('engine exploded') },
];

describe('Anthropic message stream writer', () => {
  it('writes a text block, then a tool_use block with input_json_delta, then tool_use stop and usage', async () => {
    const { sse, events } = recordingSse();
    await writeMessageStream(sse, { id: 'msg_1', model: 'm', requestId: 'req_1' }, parts(textThenCall), new AbortController().signal);
    expect(events().map((e) => e.event)).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    const all = events();
    expect(all[6]!.data).toEqual({ type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'call_1', name: 'get_weather', input: {} } });
    expect(all[7]!.data).toEqual({ type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"city":' } });
    expect(all[10]!.data).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'tool_use', stop_sequence: null },
      usage: { input_tokens: 6, output_tokens: 7, cache_creation_input_tokens: 0, cache_read_input_tokens: 4 },
    });
  });

  it('ends a failed generation with an error event in Anthropic shape, masked', async () => {
    const { sse, events } = recordingSse();
    const outcome = await writeMessageStream(sse, { id: 'msg_1', model: 'm', requestId: 'req_9' }, parts(failing), new AbortController().signal);
    expect(outcome.failed).toBe(true);
    const last = events().at(-1)!;
    expect(last.event).toBe('error');
    expect(last.data).toMatchObject({ type: 'error', error: { type: 'api_error' }, request_id: 'req_9' });
    expect(JSON.stringify(last.data)).not.toContain('exploded');
  });
});

describe('a stream that throws instead of finishing', () => {
  async function* throwing(): AsyncIterable<StreamPart> {
    yield { type: 'text-delta', text: 'Once' };
    throw new Error('backend bug');
  }

  it('still ends each surface with its error event', async () => {
    const anthropic = recordingSse();
    expect((await writeMessageStream(anthropic.sse, { id: 'msg_1', model: 'm', requestId: 'r' }, throwing(), new AbortController().signal)).failed).toBe(true);
    expect(anthropic.events().at(-1)).toMatchObject({ event: 'error', data: { type: 'error', error: { type: 'api_error' } } });
    const responses = recordingSse();
    const body = responsesRequestSchema.parse({ model: 'm', input: 'hi' });
    await writeResponseStream(responses.sse, { id: 'resp_1', createdAt: 1, model: 'm', requestId: 'r' }, body, throwing(), new AbortController().signal);
    expect(responses.events().slice(-2).map((e) => e.event)).toEqual(['error', 'response.failed']);
  });
});

describe('Responses stream writer', () => {
  const body = responsesRequestSchema.parse({ model: 'm', input: 'hi' });
  const identity = { id: 'resp_1', createdAt: 1, model: 'm', requestId: 'req_1' };

  it('closes the message item before a function_call item, and completes with both in the output', async () => {
    const { sse, events } = recordingSse();
    await writeResponseStream(sse, identity, body, parts(textThenCall), new AbortController().signal);
    const all = events();
    expect(all.map((e) => e.event)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(all.map((e) => e.data.sequence_number)).toEqual(all.map((_, index) => index));
    expect(all.map((e) => e.data.type)).toEqual(all.map((e) => e.event));
    const completed = all.at(-1)!.data.response as { status: string; output: Array<Record<string, unknown>>; usage: Record<string, unknown> };
    expect(completed.status).toBe('completed');
    expect(completed.output.map((item) => item.type)).toEqual(['message', 'function_call']);
    expect(completed.output[1]).toMatchObject({ call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}', status: 'completed' });
    expect(completed.usage).toMatchObject({ input_tokens: 10, output_tokens: 7, input_tokens_details: { cached_tokens: 4 } });
  });

  it('reports a failure as an error event and response.failed', async () => {
    const { sse, events } = recordingSse();
    await writeResponseStream(sse, identity, body, parts(failing), new AbortController().signal);
    const all = events();
    expect(all.slice(-2).map((e) => e.event)).toEqual(['error', 'response.failed']);
    expect(all.at(-2)!.data).toMatchObject({ code: 'generation_failed' });
    expect(all.at(-1)!.data.response).toMatchObject({ status: 'failed', error: { code: 'generation_failed' } });
  });
});
