import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { STORY, STORY_CONTINUATION } from './helpers/stories.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.stop();
});


describe('POST /v1/responses with the openai client', () => {
  it('answers a string input with one message item, usage and output_text', async () => {
    const response = await server.client.responses.create({ model: 'stories', input: STORY, temperature: 0, max_output_tokens: 20 });
    expect(response.object).toBe('response');
    expect(response.id).toMatch(/^resp_/);
    expect(response.model).toBe('stories260K');
    expect(response.status).toBe('incomplete');
    expect(response.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    expect(response.output).toHaveLength(1);
    const [item] = response.output;
    expect(item).toMatchObject({ type: 'message', role: 'assistant', status: 'completed' });
    expect(STORY_CONTINUATION.startsWith(response.output_text)).toBe(true);
    expect(response.output_text.length).toBeGreaterThan(20);
    expect(response.usage).toMatchObject({ input_tokens: 7, output_tokens: 20, total_tokens: 27 });
    expect(response.store).toBe(false);
  });

  it('answers items with instructions in the model chat template', async () => {
    const response = await server.client.responses.create({
      model: 'brown',
      instructions: 'You are terse.',
      input: [
        { role: 'user', content: [{ type: 'input_text', text: 'Hello' }] },
        { role: 'assistant', content: 'Hi.' },
        { role: 'user', content: 'The jury said' },
      ],
      temperature: 0,
      max_output_tokens: 8,
    });
    expect(response.model).toBe('brown-llama-1m');
    expect(response.output_text.length).toBeGreaterThan(0);
    // ChatML framing of the system, user and assistant turns: far more than the words themselves.
    expect(response.usage!.input_tokens).toBeGreaterThan(20);
    expect(response.usage!.output_tokens).toBe(8);
  });

  it('streams the typed events with growing sequence numbers and the same text', async () => {
    const stream = await server.client.responses.create({ model: 'stories', input: STORY, temperature: 0, max_output_tokens: 20, stream: true });
    const events = [];
    for await (const event of stream) events.push(event);
    const types = events.map((event) => event.type);
    expect(types.slice(0, 4)).toEqual(['response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added']);
    expect(types.slice(-4)).toEqual(['response.output_text.done', 'response.content_part.done', 'response.output_item.done', 'response.incomplete']);
    expect(new Set(types.slice(4, -4))).toEqual(new Set(['response.output_text.delta']));
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
    const text = events.flatMap((event) => (event.type === 'response.output_text.delta' ? [event.delta] : [])).join('');
    expect(STORY_CONTINUATION.startsWith(text)).toBe(true);
    const done = events.find((event) => event.type === 'response.output_text.done');
    expect(done).toMatchObject({ text });
    const last = events.at(-1)!;
    expect(last.type === 'response.incomplete' && last.response.usage?.output_tokens).toBe(20);
  });

  it('gives the final response through the client stream helper', async () => {
    const stream = server.client.responses.stream({ model: 'stories', input: STORY, temperature: 0, max_output_tokens: 20 });
    const final = await stream.finalResponse();
    expect(final.status).toBe('incomplete');
    expect(STORY_CONTINUATION.startsWith(final.output_text)).toBe(true);
  });

  it('refuses previous_response_id with a clear 400: llmux keeps no responses', async () => {
    const error = await server.client.responses
      .create({ model: 'stories', input: 'hi', previous_response_id: 'resp_123' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    const apiError = error as InstanceType<typeof OpenAI.BadRequestError>;
    expect(apiError.param).toBe('previous_response_id');
    expect(apiError.message).toContain('does not store responses');
  });

  it('answers an unknown model with 404 and a bad body with 400 naming the field', async () => {
    const missing = await server.client.responses.create({ model: 'nope', input: 'hi' }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
    const invalid = await server.client.responses
      .create({ model: 'stories', input: 'hi', max_output_tokens: -1 })
      .catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(OpenAI.BadRequestError);
    expect((invalid as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('max_output_tokens');
  });
});
