import { describe, expect, it } from 'vitest';
import { validateBody } from '../http/validate-body.js';
import { messagesRequestSchema } from './messages-request-schema.js';
import { toChatRequest } from './to-chat-request.js';

const parse = (body: unknown) => toChatRequest(validateBody(messagesRequestSchema, body));

describe('Anthropic Messages -> normalized request', () => {
  it('maps system blocks, tool_use and tool_result (results first, then the user text), tools and choices', () => {
    const request = parse({
      model: 'm',
      max_tokens: 50,
      system: [{ type: 'text', text: 'One.' }, { type: 'text', text: 'Two.' }],
      temperature: 0.5,
      top_k: 20,
      stop_sequences: ['END', ''],
      tools: [{ name: 'get_weather', description: 'Weather', input_schema: { type: 'object' } }],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
      messages: [
        { role: 'user', content: 'Weather?' },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'hmm', signature: 'x' },
            { type: 'text', text: 'Checking.' },
            { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
          ],
        },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'Sunny' }] }, { type: 'text', text: 'And?' }] },
      ],
    });
    expect(request.messages).toEqual([
      { role: 'system', content: 'One.\nTwo.' },
      { role: 'user', content: 'Weather?' },
      { role: 'assistant', content: 'Checking.', toolCalls: [{ id: 'toolu_1', name: 'get_weather', arguments: '{"city":"Paris"}' }] },
      { role: 'tool', toolCallId: 'toolu_1', content: 'Sunny' },
      { role: 'user', content: 'And?' },
    ]);
    expect(request).toMatchObject({
      maxTokens: 50,
      sampling: { temperature: 0.5, topK: 20 },
      stop: ['END'],
      tools: [{ name: 'get_weather', description: 'Weather', parameters: { type: 'object' } }],
      toolChoice: 'required',
      parallelToolCalls: false,
    });
  });

  it('maps tool_choice tool and none', () => {
    const base = { model: 'm', max_tokens: 5, tools: [{ name: 't', input_schema: {} }], messages: [{ role: 'user', content: 'x' }] };
    expect(parse({ ...base, tool_choice: { type: 'tool', name: 't' } }).toolChoice).toEqual({ name: 't' });
    expect(parse({ ...base, tool_choice: { type: 'none' } }).toolChoice).toBe('none');
  });

  it('refuses a prefilled assistant answer and misplaced blocks with 400s naming the field', () => {
    expect(() => parse({ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'x' }, { role: 'assistant', content: 'The answer is' }] })).toThrow(
      /Prefilling/,
    );
    expect(() =>
      parse({ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: [{ type: 'tool_use', id: 'a', name: 'b', input: {} }] }] }),
    ).toThrow(/belong in "assistant"/);
    expect(() => parse({ model: 'm', messages: [{ role: 'user', content: 'x' }] })).toThrow(/max_tokens/);
    expect(() => parse({ model: 'm', max_tokens: 5, temperature: 1.5, messages: [{ role: 'user', content: 'x' }] })).toThrow(/temperature/);
  });
});
