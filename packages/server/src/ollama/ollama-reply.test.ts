import { describe, expect, it } from 'vitest';
import type { StreamPart } from '@llmux/core';
import { GenerationClock } from './generation-clock.js';
import { OllamaReply, type OllamaLineShape } from './ollama-reply.js';

const shape: OllamaLineShape = {
  piece: (head, text) => ({ ...head, message: { role: 'assistant', content: text }, done: false }),
  toolCalls: (head, calls) => ({ ...head, message: { role: 'assistant', content: '', tool_calls: calls }, done: false }),
  final: (head, text, calls, doneReason, timings) => ({ ...head, message: { role: 'assistant', content: text, tool_calls: calls }, done: true, done_reason: doneReason, ...timings }),
};

const parts: StreamPart[] = [
  { type: 'text-delta', text: 'Let me ' },
  { type: 'text-delta', text: 'check.' },
  { type: 'tool-call-start', index: 0, id: 'call_a', name: 'get_weather' },
  { type: 'tool-call-delta', index: 0, argumentsDelta: '{"city":' },
  { type: 'tool-call-delta', index: 0, argumentsDelta: '"Paris"}' },
  { type: 'tool-call-end', index: 0 },
  { type: 'finish', reason: 'tool-calls', raw: 'functionCalls', usage: { promptTokens: 12, cachedPromptTokens: 0, completionTokens: 9 } },
];

describe('OllamaReply', () => {
  it('streams text pieces, each tool call whole with object arguments, then a done line without repeats', () => {
    const reply = new OllamaReply(shape, 'm:latest', new GenerationClock(), true);
    const lines = parts.flatMap((part) => reply.accept(part)) as Array<{ message: { content: string; tool_calls?: unknown } }>;
    expect(lines.map((line) => line.message.content)).toEqual(['Let me ', 'check.', '']);
    expect(lines[2]!.message.tool_calls).toEqual([{ function: { name: 'get_weather', arguments: { city: 'Paris' } } }]);
    expect(reply.failure(new AbortController().signal)).toBeUndefined();
    const final = reply.final() as { message: { content: string; tool_calls: unknown[] }; done: boolean; done_reason: string; eval_count: number; prompt_eval_count: number };
    expect(final).toMatchObject({ done: true, done_reason: 'stop', eval_count: 9, prompt_eval_count: 12, model: 'm:latest' });
    expect(final.message).toEqual({ role: 'assistant', content: '', tool_calls: [] });
  });

  it('without streaming, sends nothing early and puts all text and calls in the body', () => {
    const reply = new OllamaReply(shape, 'm', new GenerationClock(), false);
    expect(parts.flatMap((part) => reply.accept(part))).toEqual([]);
    const final = reply.final() as { message: { content: string; tool_calls: unknown[] } };
    expect(final.message.content).toBe('Let me check.');
    expect(final.message.tool_calls).toEqual([{ function: { name: 'get_weather', arguments: { city: 'Paris' } } }]);
  });

  it('reports a failed generation as the error to send', () => {
    const reply = new OllamaReply(shape, 'm', new GenerationClock(), true);
    reply.accept({ type: 'finish', reason: 'abort', raw: 'abort', usage: { promptTokens: 1, cachedPromptTokens: 0, completionTokens: 0 } });
    expect(reply.failure(new AbortController().signal)?.code).toBe('backend_unavailable');
  });
});
