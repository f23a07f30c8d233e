import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { z } from 'zod';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { startBrownServer } from './helpers/brown-server.js';
import type { TestServer } from './helpers/test-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startBrownServer();
});
afterAll(async () => {
  await server?.stop();
});

// Enums keep brown's nonsense short enough to close the JSON well within max_tokens.
const weatherArgs = z.object({ city: z.enum(['Paris', 'London']), unit: z.enum(['celsius', 'fahrenheit']) }).strict();
const tools: ChatCompletionTool[] = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'The weather of a city',
      parameters: {
        type: 'object',
        properties: { city: { enum: ['Paris', 'London'] }, unit: { enum: ['celsius', 'fahrenheit'] } },
        required: ['city', 'unit'],
        additionalProperties: false,
      },
    },
  },
  { type: 'function', function: { name: 'get_time', description: 'The time now', parameters: { type: 'object', properties: { zone: { enum: ['UTC', 'CET'] } } } } },
];
const question: ChatCompletionMessageParam[] = [{ role: 'user', content: 'What is the weather in Paris?' }];
const base = { model: 'brown', messages: question, tools, temperature: 0, max_tokens: 80 } as const;

describe('tool calling on /v1/chat/completions', () => {
  it('tool_choice required: a call with an id, a known name and arguments that match the schema', async () => {
    const completion = await server.client.chat.completions.create({ ...base, tool_choice: 'required' });
    const [choice] = completion.choices;
    expect(choice!.finish_reason).toBe('tool_calls');
    expect(choice!.message.role).toBe('assistant');
    expect(choice!.message.content).toBeNull();
    const calls = choice!.message.tool_calls!;
    expect(calls.length).toBeGreaterThanOrEqual(1);
    for (const call of calls) {
      expect(call.id).toMatch(/^call_[\w-]{16}$/);
      expect(call.type).toBe('function');
      if (call.type !== 'function') continue;
      expect(['get_weather', 'get_time']).toContain(call.function.name);
      expect(typeof call.function.arguments).toBe('string');
      JSON.parse(call.function.arguments);
    }
    expect(completion.usage!.completion_tokens).toBeGreaterThan(5);
  });

  it('a named tool_choice calls that function, even when another would fit', async () => {
    const completion = await server.client.chat.completions.create({
      ...base,
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      parallel_tool_calls: false,
    });
    const calls = completion.choices[0]!.message.tool_calls!;
    expect(calls).toHaveLength(1);
    const call = calls[0]!;
    if (call.type !== 'function') throw new Error('expected a function call');
    expect(call.function.name).toBe('get_weather');
    expect(weatherArgs.safeParse(JSON.parse(call.function.arguments)).success).toBe(true);
    expect(completion.choices[0]!.finish_reason).toBe('tool_calls');
  });

  it('tool_choice none and auto: no forced call (brown answers in text)', async () => {
    for (const tool_choice of ['none', 'auto'] as const) {
      const completion = await server.client.chat.completions.create({ ...base, tool_choice, max_tokens: 12 });
      const [choice] = completion.choices;
      expect(choice!.message.tool_calls).toBeUndefined();
      expect(typeof choice!.message.content).toBe('string');
      expect(['stop', 'length']).toContain(choice!.finish_reason);
    }
    // With tools the prompt documents them; with tool_choice none it does not.
    const none = await server.client.chat.completions.create({ ...base, tool_choice: 'none', max_tokens: 1 });
    const auto = await server.client.chat.completions.create({ ...base, tool_choice: 'auto', max_tokens: 1 });
    expect(auto.usage!.prompt_tokens).toBeGreaterThan(none.usage!.prompt_tokens + 50);
  });

  it('streams tool calls as OpenAI does: id, type and name first, then argument fragments with the index only', async () => {
    const stream = await server.client.chat.completions.create({
      ...base,
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      stream: true,
      stream_options: { include_usage: true },
    });
    const deltas: OpenAI.Chat.Completions.ChatCompletionChunk.Choice.Delta.ToolCall[] = [];
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      if (choice?.delta.tool_calls) deltas.push(...choice.delta.tool_calls);
      if (choice?.finish_reason) finish = choice.finish_reason;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(finish).toBe('tool_calls');
    const [first, ...rest] = deltas;
    expect(first).toMatchObject({ index: 0, type: 'function', function: { name: 'get_weather', arguments: '' } });
    expect(first!.id).toMatch(/^call_/);
    expect(rest.length).toBeGreaterThan(3);
    for (const fragment of rest) {
      expect(Object.keys(fragment).sort()).toEqual(['function', 'index']);
      expect(Object.keys(fragment.function!)).toEqual(['arguments']);
      expect(fragment.index).toBe(0);
    }
    const args = rest.map((fragment) => fragment.function!.arguments).join('');
    expect(weatherArgs.safeParse(JSON.parse(args)).success).toBe(true);
    expect(usage!.completion_tokens).toBeGreaterThan(5);

    // The same request without streaming gives the same call (greedy).
    const whole = await server.client.chat.completions.create({ ...base, tool_choice: { type: 'function', function: { name: 'get_weather' } } });
    const call = whole.choices[0]!.message.tool_calls![0]!;
    if (call.type !== 'function') throw new Error('expected a function call');
    expect(call.function.arguments).toBe(args);
  });

  it('round-trips over several turns: the call and its result go back into the prompt', async () => {
    const first = await server.client.chat.completions.create({ ...base, tool_choice: 'required' });
    const assistant = first.choices[0]!.message;
    const call = assistant.tool_calls![0]!;
    const followUp: ChatCompletionMessageParam[] = [
      ...question,
      assistant,
      { role: 'tool', tool_call_id: call.id, content: '{"temperature": 21}' },
    ];
    const second = await server.client.chat.completions.create({ ...base, messages: followUp, max_tokens: 10 });
    // The prompt grew by the call and its result, and the earlier turn's tokens were reused.
    expect(second.usage!.prompt_tokens).toBeGreaterThan(first.usage!.prompt_tokens + 10);
    expect(second.usage!.prompt_tokens_details!.cached_tokens).toBeGreaterThan(first.usage!.prompt_tokens - 10);
    const third = await server.client.chat.completions.create({
      ...base,
      messages: [...followUp, { role: 'assistant', content: second.choices[0]!.message.content }, { role: 'user', content: 'And in London?' }],
      tool_choice: 'required',
    });
    expect(third.choices[0]!.finish_reason).toBe('tool_calls');
    expect(third.usage!.prompt_tokens).toBeGreaterThan(second.usage!.prompt_tokens);
  });

  it('answers bad tool requests with 400s that name the field', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ tool_choice: { type: 'function', function: { name: 'nope' } } }, 'tool_choice'],
      [{ tools: undefined, tool_choice: 'required' }, 'tool_choice'],
      [{ tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: { n: { type: 'number', minimum: 1 } } } } }] }, 'tools[0].function.parameters.properties.n.minimum'],
      [{ messages: [{ role: 'tool', tool_call_id: 'x', content: '1' }] }, 'messages[0]'],
      [{ response_format: { type: 'json_object' }, tool_choice: 'auto' }, 'response_format'],
    ];
    for (const [override, param] of cases) {
      const error = await server.client.chat.completions.create({ ...base, ...override } as never).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      expect((error as InstanceType<typeof OpenAI.BadRequestError>).param).toBe(param);
    }
  });
});
