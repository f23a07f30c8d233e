import { describe, expect, it } from 'vitest';
import { ChatMLChatWrapper } from 'node-llama-cpp';
import { InvalidRequestError, type ChatMessage } from '@llmux/core';
import { toChatHistory } from './chat-history.js';

const call = { id: 'call_1', name: 'get_weather', arguments: '{"city": "Paris"}' };
const functions = { get_weather: { description: 'Weather of a city', params: { type: 'object', properties: { city: { type: 'string' } } } } } as const;

function render(messages: ChatMessage[]): string {
  return new ChatMLChatWrapper()
    .generateContextState({ chatHistory: toChatHistory(messages), availableFunctions: functions })
    .contextText.toString();
}

describe('toChatHistory', () => {
  it('renders tool calls and their results in the native call syntax, and continues that turn', () => {
    const prompt = render([
      { role: 'user', content: 'Weather in Paris?' },
      { role: 'assistant', content: '', toolCalls: [call] },
      { role: 'tool', toolCallId: 'call_1', content: '{"temperature": 21}' },
    ]);
    expect(prompt).toContain('<|im_start|>user\nWeather in Paris?<|im_end|>');
    expect(prompt).toContain('||call: get_weather({"city": "Paris"})');
    expect(prompt).toContain('||result: {"temperature": 21}');
    // The model answers after the result, inside the same assistant turn.
    expect(prompt.endsWith('<|im_end|>\n')).toBe(false);
    expect(prompt.match(/<\|im_start\|>assistant/g)).toHaveLength(1);
  });

  it('keeps several turns: calls, results, the answer, then a new user message', () => {
    const second = { id: 'call_2', name: 'get_weather', arguments: '{"city": "Rome"}' };
    const prompt = render([
      { role: 'user', content: 'Weather in Paris and Rome?' },
      { role: 'assistant', content: '', toolCalls: [call, second] },
      { role: 'tool', toolCallId: 'call_2', content: 'sunny' },
      { role: 'tool', toolCallId: 'call_1', content: 'rain' },
      { role: 'assistant', content: 'Rain in Paris, sun in Rome.' },
      { role: 'user', content: 'Thanks' },
    ]);
    const paris = prompt.indexOf('||call: get_weather({"city": "Paris"})');
    const rome = prompt.indexOf('||call: get_weather({"city": "Rome"})');
    expect(paris).toBeGreaterThan(0);
    expect(rome).toBeGreaterThan(paris);
    // Results are matched by tool_call_id, not by order.
    expect(prompt.indexOf('||result: "rain"')).toBeGreaterThan(paris);
    expect(prompt.indexOf('||result: "rain"')).toBeLessThan(rome);
    expect(prompt.indexOf('||result: "sunny"')).toBeGreaterThan(rome);
    expect(prompt).toContain('Rain in Paris, sun in Rome.<|im_end|>\n<|im_start|>user\nThanks<|im_end|>\n<|im_start|>assistant\n');
  });

  it('refuses tool messages without a call, calls without results and arguments that are not JSON', () => {
    expect(() => toChatHistory([{ role: 'tool', toolCallId: 'x', content: '1' }])).toThrow(InvalidRequestError);
    expect(() => toChatHistory([{ role: 'user', content: 'q' }, { role: 'assistant', content: '', toolCalls: [call] }])).toThrow(/missing 'call_1'/);
    expect(() =>
      toChatHistory([
        { role: 'assistant', content: '', toolCalls: [{ ...call, arguments: '{bad' }] },
        { role: 'tool', toolCallId: 'call_1', content: '1' },
      ]),
    ).toThrow(/tool_calls\[0\]\.function\.arguments/);
  });
});
