import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Anthropic from '@anthropic-ai/sdk';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { STORY, STORY_CONTINUATION } from './helpers/stories.js';

let server: TestServer;
let client: Anthropic;

beforeAll(async () => {
  server = await startTestServer();
  client = new Anthropic({ baseURL: server.url, apiKey: 'unused', maxRetries: 0 });
});
afterAll(async () => {
  await server?.stop();
});


describe('POST /v1/messages with the @anthropic-ai/sdk client', () => {
  it('answers a non-streaming request with text, stop_reason and usage', async () => {
    const message = await client.messages.create({
      model: 'stories',
      max_tokens: 20,
      temperature: 0,
      messages: [{ role: 'user', content: STORY }],
    });
    expect(message.type).toBe('message');
    expect(message.id).toMatch(/^msg_/);
    expect(message.role).toBe('assistant');
    expect(message.model).toBe('stories260K');
    expect(message.content).toHaveLength(1);
    const [block] = message.content;
    expect(block!.type).toBe('text');
    const text = (block as Anthropic.TextBlock).text;
    expect(STORY_CONTINUATION.startsWith(text)).toBe(true);
    expect(text.length).toBeGreaterThan(20);
    expect(message.stop_reason).toBe('max_tokens');
    expect(message.stop_sequence).toBeNull();
    expect(message.usage.output_tokens).toBe(20);
    expect(message.usage.input_tokens + (message.usage.cache_read_input_tokens ?? 0)).toBe(7);
  });

  it('ends with stop_reason stop_sequence and names the sequence', async () => {
    const message = await client.messages.create({
      model: 'stories',
      max_tokens: 30,
      temperature: 0,
      stop_sequences: ['Lily'],
      messages: [{ role: 'user', content: STORY }],
    });
    expect(message.stop_reason).toBe('stop_sequence');
    expect(message.stop_sequence).toBe('Lily');
    expect((message.content[0] as Anthropic.TextBlock).text).toBe(', there was a little girl named ');
  });

  it('streams the exact event sequence and the same text', async () => {
    const stream = client.messages.stream({
      model: 'stories',
      max_tokens: 20,
      temperature: 0,
      messages: [{ role: 'user', content: STORY }],
    });
    const types: string[] = [];
    let text = '';
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
    }
    // The client drops `ping` events; the raw sequence is checked below.
    expect(types.slice(0, 2)).toEqual(['message_start', 'content_block_start']);
    expect(types.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
    expect(new Set(types.slice(2, -3))).toEqual(new Set(['content_block_delta']));
    const final = await stream.finalMessage();
    expect(final.stop_reason).toBe('max_tokens');
    expect(final.usage.output_tokens).toBe(20);
    expect(final.usage.input_tokens + (final.usage.cache_read_input_tokens ?? 0)).toBe(7);
    expect((final.content[0] as Anthropic.TextBlock).text).toBe(text);
    expect(STORY_CONTINUATION.startsWith(text)).toBe(true);
  });

  it('sends the raw event names in Anthropic order, ping after the first block start', async () => {
    const response = await fetch(`${server.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'stories', max_tokens: 5, temperature: 0, stream: true, messages: [{ role: 'user', content: STORY }] }),
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const raw = await response.text();
    const names = [...raw.matchAll(/^event: (.+)$/gm)].map((match) => match[1]);
    expect(names.slice(0, 3)).toEqual(['message_start', 'content_block_start', 'ping']);
    expect(names.slice(3, -3).every((name) => name === 'content_block_delta')).toBe(true);
    expect(names.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
    const start = JSON.parse(/^data: (.+)$/m.exec(raw)![1]!) as { message: { usage: { input_tokens: number } } };
    expect(start.message.usage.input_tokens).toBe(7);
  });

  it('takes a system prompt as blocks and tool_use / tool_result history', async () => {
    const message = await client.messages.create({
      model: 'brown',
      max_tokens: 8,
      temperature: 0,
      system: [{ type: 'text', text: 'You answer briefly.' }],
      messages: [
        { role: 'user', content: 'What is the weather?' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Paris' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'Sunny' }, { type: 'text', text: 'So?' }] },
      ],
    });
    expect(message.model).toBe('brown-llama-1m');
    expect(message.usage.output_tokens).toBeGreaterThan(0);
  });

  it('counts prompt tokens as the generation counts them', async () => {
    const counted = await client.messages.countTokens({ model: 'stories', messages: [{ role: 'user', content: STORY }] });
    expect(counted.input_tokens).toBe(7);
  });

  it('answers an unknown model with 404 not_found_error in Anthropic shape', async () => {
    const error = await client.messages
      .create({ model: 'nope', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.NotFoundError);
    const body = (error as InstanceType<typeof Anthropic.NotFoundError>).error as { type: string; error: { type: string; message: string } };
    expect(body.type).toBe('error');
    expect(body.error.type).toBe('not_found_error');
    expect(body.error.message).toContain("'nope'");
  });

  it('answers a missing max_tokens and malformed JSON with 400 invalid_request_error', async () => {
    const missing = await fetch(`${server.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'stories', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(missing.status).toBe(400);
    const body = (await missing.json()) as { type: string; error: { type: string; message: string } };
    expect(body).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    expect(body.error.message).toContain('max_tokens');

    const malformed = await fetch(`${server.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model":' });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
  });
});
