import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { STORY, STORY_CONTINUATION } from './helpers/stories.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ modelDefaults: { parallel: 4, maxQueue: 8 } });
});
afterAll(async () => {
  await server?.stop();
});

const story = [{ role: 'user' as const, content: STORY }];

describe('chat options with the openai client', () => {
  it('logprobs: one entry per token with top_logprobs, joined tokens = content, same text as without logprobs', async () => {
    const plain = await server.client.chat.completions.create({ model: 'stories', messages: story, temperature: 0, max_tokens: 15 });
    const completion = await server.client.chat.completions.create({
      model: 'stories', messages: story, temperature: 0, max_tokens: 15, logprobs: true, top_logprobs: 3,
    });
    const [choice] = completion.choices;
    expect(choice!.message.content).toBe(plain.choices[0]!.message.content);
    expect(STORY_CONTINUATION.startsWith(choice!.message.content!)).toBe(true);
    const content = choice!.logprobs!.content!;
    expect(choice!.logprobs!.refusal).toBeNull();
    expect(content).toHaveLength(15);
    expect(content.map((entry) => entry.token).join('')).toBe(choice!.message.content);
    for (const entry of content) {
      expect(Object.keys(entry).sort()).toEqual(['bytes', 'logprob', 'token', 'top_logprobs']);
      expect(entry.bytes).toEqual([...Buffer.from(entry.token, 'utf8')]);
      expect(entry.logprob).toBeLessThanOrEqual(0);
      expect(entry.top_logprobs).toHaveLength(3);
      expect(entry.top_logprobs[0]!.token).toBe(entry.token);
      expect(entry.top_logprobs[0]!.logprob).toBeCloseTo(entry.logprob, 6);
      expect(entry.top_logprobs[1]!.logprob).toBeLessThanOrEqual(entry.top_logprobs[0]!.logprob);
    }
    expect(completion.usage!.completion_tokens).toBe(15);
    // The token-by-token path reuses the sequence's cached prompt as the chat driver does.
    const again = await server.client.chat.completions.create({ model: 'stories', messages: story, temperature: 0, max_tokens: 2, logprobs: true });
    expect(again.usage!.prompt_tokens_details!.cached_tokens).toBe(again.usage!.prompt_tokens - 1);
  });

  it('logprobs while streaming: each text chunk carries the logprobs of its tokens', async () => {
    const stream = await server.client.chat.completions.create({
      model: 'stories', messages: story, temperature: 0, max_tokens: 10, logprobs: true, stream: true,
    });
    let text = '';
    let tokens = '';
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      if (!choice?.delta.content) continue;
      text += choice.delta.content;
      expect(choice.logprobs!.content!.length).toBeGreaterThan(0);
      for (const entry of choice.logprobs!.content!) {
        tokens += entry.token;
        expect(entry.top_logprobs).toEqual([]);
      }
    }
    expect(tokens).toBe(text);
    expect(STORY_CONTINUATION.startsWith(text)).toBe(true);
  });

  it('logprobs on a chat template stop at the end-of-turn token, which is not returned', async () => {
    const completion = await server.client.chat.completions.create({
      model: 'brown', messages: [{ role: 'user', content: 'Hello' }], temperature: 0, max_tokens: 200, logprobs: true,
    });
    const [choice] = completion.choices;
    expect(choice!.message.content).not.toContain('<|im_end|>');
    expect(choice!.logprobs!.content!.map((entry) => entry.token).join('')).toBe(choice!.message.content);
  });

  it('seed: the same seed and request give the same text at temperature 1; n > 1 gives indexed, reproducible choices', async () => {
    const ask = (seed: number, n = 1) =>
      server.client.chat.completions.create({ model: 'stories', messages: story, temperature: 1, seed, n, max_tokens: 30 });
    const [first, again, other] = await Promise.all([ask(42), ask(42), ask(7)]);
    expect(again.choices[0]!.message.content).toBe(first.choices[0]!.message.content);
    expect(other.choices[0]!.message.content).not.toBe(first.choices[0]!.message.content);

    const [three, threeAgain] = await Promise.all([ask(42, 3), ask(42, 3)]);
    expect(three.choices.map((choice) => choice.index)).toEqual([0, 1, 2]);
    expect(three.choices.map((choice) => choice.message.content)).toEqual(threeAgain.choices.map((choice) => choice.message.content));
    expect(new Set(three.choices.map((choice) => choice.message.content)).size).toBe(3);
    expect(three.usage!.completion_tokens).toBe(90);
  });

  it('logit_bias -100 bans a token, +100 forces it, on both generation paths', async () => {
    const comma = 432; // ',' in stories260K's vocabulary: the greedy first token after the prompt.
    for (const logprobs of [false, true]) {
      const banned = await server.client.chat.completions.create({
        model: 'stories', messages: story, temperature: 0, max_tokens: 8, logprobs, logit_bias: { [comma]: -100 },
      });
      expect(banned.choices[0]!.message.content).not.toContain(',');
      const forced = await server.client.chat.completions.create({
        model: 'stories', messages: story, temperature: 0, max_tokens: 4, logprobs, logit_bias: { [comma]: 100 },
      });
      expect(forced.choices[0]!.message.content).toBe(',,,,');
    }
    const error = await server.client.chat.completions
      .create({ model: 'stories', messages: story, logit_bias: { 100000: 5 } })
      .catch((caught: unknown) => caught as InstanceType<typeof OpenAI.BadRequestError>);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.param).toBe('logit_bias');
  });

  it('max_completion_tokens caps like max_tokens; user is accepted; unknown fields are ignored', async () => {
    const completion = await server.client.chat.completions.create({
      model: 'stories', messages: story, temperature: 0, max_completion_tokens: 5, user: 'user-1234',
    });
    expect(completion.usage!.completion_tokens).toBe(5);
    expect(completion.choices[0]!.finish_reason).toBe('length');
    const response = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'stories', messages: story, max_tokens: 3, store: true, metadata: { a: 'b' }, some_future_field: [1] }),
    });
    expect(response.status).toBe(200);
  });

  it('text content parts are joined; image_url parts and wrong types are 400s naming the field', async () => {
    const parts = await server.client.chat.completions.create({
      model: 'stories',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Once upon ' }, { type: 'text', text: 'a time' }] }],
      temperature: 0,
      max_tokens: 10,
    });
    expect(STORY_CONTINUATION.startsWith(parts.choices[0]!.message.content!)).toBe(true);
    const cases: Array<[Record<string, unknown>, string, RegExp?]> = [
      [{ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,AA==' } }] }] }, 'messages[0].content', /vision/],
      [{ temperature: 'hot' }, 'temperature'],
      [{ n: 0 }, 'n'],
      [{ stop: ['a', 'b', 'c', 'd', 'e'] }, 'stop'],
      [{ top_logprobs: 21, logprobs: true }, 'top_logprobs'],
      [{ messages: [{ role: 'user', content: 'Once upon a time '.repeat(600) }] }, 'messages'],
    ];
    for (const [override, param, message] of cases) {
      const error = await server.client.chat.completions.create({ model: 'stories', messages: story, ...override } as never).catch((caught: unknown) => caught);
      expect(error, JSON.stringify(override).slice(0, 60)).toBeInstanceOf(OpenAI.BadRequestError);
      const typed = error as InstanceType<typeof OpenAI.BadRequestError>;
      expect(typed.param).toBe(param);
      expect(typed.type).toBe('invalid_request_error');
      if (message) expect(typed.message).toMatch(message);
    }
  });
});
