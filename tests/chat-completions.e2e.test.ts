import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { STORY, STORY_CONTINUATION } from './helpers/stories.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ modelDefaults: { parallel: 8, maxQueue: 8 } });
});
afterAll(async () => {
  await server?.stop();
});


describe('POST /v1/chat/completions with the openai client', () => {
  it('answers a non-streaming request', async () => {
    const completion = await server.client.chat.completions.create({
      model: 'stories',
      messages: [{ role: 'user', content: STORY }],
      temperature: 0,
      max_tokens: 20,
    });
    expect(completion.object).toBe('chat.completion');
    expect(completion.id).toMatch(/^chatcmpl-/);
    expect(completion.model).toBe('stories260K');
    expect(completion.choices).toHaveLength(1);
    const [choice] = completion.choices;
    expect(choice!.index).toBe(0);
    expect(choice!.message.role).toBe('assistant');
    expect(STORY_CONTINUATION.startsWith(choice!.message.content!)).toBe(true);
    expect(choice!.message.content!.length).toBeGreaterThan(20);
    expect(choice!.finish_reason).toBe('length');
    expect(completion.usage).toMatchObject({ completion_tokens: 20, prompt_tokens: 7, total_tokens: 27 });
  });

  it('streams chunks as OpenAI does, with usage when asked', async () => {
    const stream = await server.client.chat.completions.create({
      model: 'stories',
      messages: [{ role: 'user', content: STORY }],
      temperature: 0,
      max_tokens: 20,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks[0]!.choices[0]!.delta.role).toBe('assistant');
    const ids = new Set(chunks.map((c) => c.id));
    expect(ids.size).toBe(1);
    for (const chunk of chunks) expect(chunk.object).toBe('chat.completion.chunk');
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(STORY_CONTINUATION.startsWith(text)).toBe(true);
    const finish = chunks.filter((c) => c.choices[0]?.finish_reason);
    expect(finish).toHaveLength(1);
    expect(finish[0]!.choices[0]!.finish_reason).toBe('length');
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toMatchObject({ completion_tokens: 20, prompt_tokens: 7 });
  });

  it('ends with finish_reason stop at a stop string and leaves the stop text out', async () => {
    const completion = await server.client.chat.completions.create({
      model: 'stories',
      messages: [{ role: 'user', content: STORY }],
      temperature: 0,
      max_tokens: 60,
      stop: ['Lily'],
    });
    expect(completion.choices[0]!.message.content).toBe(', there was a little girl named ');
    expect(completion.choices[0]!.finish_reason).toBe('stop');
  });

  it('uses the model chat template (brown has ChatML) and reports cached prompt tokens on a repeat', async () => {
    const ask = () =>
      server.client.chat.completions.create({
        model: 'brown',
        messages: [
          { role: 'system', content: 'You are terse.' },
          { role: 'user', content: 'The jury said' },
        ],
        temperature: 0,
        max_tokens: 8,
      });
    const first = await ask();
    const second = await ask();
    expect(second.choices[0]!.message.content).toBe(first.choices[0]!.message.content);
    expect(first.usage!.prompt_tokens).toBeGreaterThan(10);
    expect(second.usage!.prompt_tokens_details!.cached_tokens).toBe(second.usage!.prompt_tokens - 1);
  });

  it('lists the configured models and finds one by alias', async () => {
    const models = await server.client.models.list();
    const ids = models.data.map((m) => m.id);
    expect(ids).toEqual(expect.arrayContaining(['stories260K', 'brown-llama-1m']));
    const one = await server.client.models.retrieve('brown');
    expect(one).toMatchObject({ id: 'brown-llama-1m', object: 'model', owned_by: 'llmux' });
  });

  it('answers an unknown model with 404 model_not_found', async () => {
    const error = await server.client.chat.completions
      .create({ model: 'no-such-model', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    const apiError = error as InstanceType<typeof OpenAI.NotFoundError>;
    expect(apiError.status).toBe(404);
    expect(apiError.code).toBe('model_not_found');
    expect(apiError.param).toBe('model');
    expect(apiError.message).toContain('no-such-model');
  });

  it('answers an invalid body with 400 naming the field', async () => {
    const error = await server.client.chat.completions
      .create({ model: 'stories', messages: [{ role: 'user', content: 'hi' }], temperature: 5 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    const apiError = error as InstanceType<typeof OpenAI.BadRequestError>;
    expect(apiError.param).toBe('temperature');
    expect(apiError.type).toBe('invalid_request_error');
    expect(apiError.message).toMatch(/temperature/);
  });

  it('answers malformed JSON and a missing field with 400 in the OpenAI shape', async () => {
    const post = (body: string) =>
      fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const bad = await post('{"model": "stories",');
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_request' });
    const missing = await post(JSON.stringify({ model: 'stories' }));
    expect(missing.status).toBe(400);
    expect((await missing.json()).error).toMatchObject({ param: 'messages' });
    const unknownRoute = await fetch(`${server.url}/v1/nothing-here`);
    expect(unknownRoute.status).toBe(404);
  });

  it('gives 8 concurrent greedy streams exactly the text each gets alone', async () => {
    const prompts = ['Once upon a time', 'The dog', 'Lily saw a', 'One day, Tom', 'The sun was', 'A big red', 'Mom said', 'They played'];
    const ask = async (prompt: string) => {
      const stream = await server.client.chat.completions.create({
        model: 'stories',
        messages: [{ role: 'user', content: prompt }],
        temperature: 0,
        max_tokens: 40,
        stream: true,
      });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      return text;
    };
    const alone: string[] = [];
    for (const prompt of prompts) alone.push(await ask(prompt));
    const together = await Promise.all(prompts.map(ask));
    expect(together).toEqual(alone);
    expect(new Set(alone).size).toBeGreaterThan(4);
  });

  it('frees the sequence of a client that disconnects mid-stream', async () => {
    const controller = new AbortController();
    const stream = await server.client.chat.completions.create(
      { model: 'stories', messages: [{ role: 'user', content: STORY }], max_tokens: 1500, stream: true },
      { signal: controller.signal },
    );
    const model = server.runtime.manager.peek('stories260K')!;
    let seen = 0;
    let activeWhileStreaming = 0;
    try {
      for await (const _ of stream) {
        if (++seen === 3) {
          activeWhileStreaming = model.stats().active;
          controller.abort();
        }
      }
    } catch {
      // The client reports the abort; what matters is the server side.
    }
    expect(activeWhileStreaming).toBe(1);
    await expect.poll(() => model.stats().active, { timeout: 5000 }).toBe(0);
  });
});
