import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { z } from 'zod';
import { startBrownServer } from './helpers/brown-server.js';
import type { TestServer } from './helpers/test-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startBrownServer();
});
afterAll(async () => {
  await server?.stop();
});

const schema = {
  type: 'object',
  properties: {
    mood: { enum: ['happy', 'sad'] },
    sure: { type: 'boolean' },
    tags: { type: 'array', items: { enum: ['a', 'b', 'c'] }, minItems: 1, maxItems: 3 },
    note: { type: 'string', maxLength: 12 },
  },
  required: ['mood', 'sure', 'tags', 'note'],
  additionalProperties: false,
} as const;
const Answer = z
  .object({ mood: z.enum(['happy', 'sad']), sure: z.boolean(), tags: z.array(z.enum(['a', 'b', 'c'])).min(1).max(3), note: z.string().max(12) })
  .strict();
const messages = [{ role: 'user' as const, content: 'How do you feel? Answer in JSON.' }];
const jsonSchemaFormat = { type: 'json_schema' as const, json_schema: { name: 'feeling', schema, strict: true } };

describe('response_format on /v1/chat/completions', () => {
  it('json_schema: the output parses and validates, at temperature 1 with several seeds', async () => {
    for (const seed of [1, 2, 3]) {
      const completion = await server.client.chat.completions.create({
        model: 'brown', messages, response_format: jsonSchemaFormat, temperature: 1, seed, max_tokens: 120,
      });
      const [choice] = completion.choices;
      expect(choice!.finish_reason).toBe('stop');
      expect(Answer.safeParse(JSON.parse(choice!.message.content!)).error).toBeUndefined();
    }
  });

  it('json_schema while streaming: the joined deltas validate', async () => {
    const stream = await server.client.chat.completions.create({
      model: 'brown', messages, response_format: jsonSchemaFormat, temperature: 0, max_tokens: 120, stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(Answer.safeParse(JSON.parse(text)).success).toBe(true);
  });

  it('json_schema with logprobs: the token-by-token path enforces the same grammar', async () => {
    const completion = await server.client.chat.completions.create({
      model: 'brown', messages, response_format: jsonSchemaFormat, temperature: 1, seed: 5, max_tokens: 120, logprobs: true,
    });
    const [choice] = completion.choices;
    expect(choice!.finish_reason).toBe('stop');
    expect(Answer.safeParse(JSON.parse(choice!.message.content!)).error).toBeUndefined();
    expect(choice!.logprobs!.content!.map((entry) => entry.token).join('')).toBe(choice!.message.content);
  });

  it('json_object: the output is a JSON object', async () => {
    const completion = await server.client.chat.completions.create({
      model: 'brown', messages, response_format: { type: 'json_object' }, temperature: 0, max_tokens: 200,
    });
    const content = completion.choices[0]!.message.content!;
    if (completion.choices[0]!.finish_reason === 'stop') expect(typeof JSON.parse(content)).toBe('object');
    // Brown rambles inside a string until max_tokens, but what it wrote is JSON from the first byte,
    // where the same request without the grammar writes prose.
    expect(content.trimStart().startsWith('{')).toBe(true);
    const free = await server.client.chat.completions.create({ model: 'brown', messages, temperature: 0, max_tokens: 20 });
    expect(free.choices[0]!.message.content!.trimStart().startsWith('{')).toBe(false);
  });

  it('rejects schema keywords a grammar cannot enforce, naming them', async () => {
    const bad = { type: 'object', properties: { age: { type: 'integer', minimum: 0 }, mail: { type: 'string', format: 'email' } } };
    const error = await server.client.chat.completions
      .create({ model: 'brown', messages, response_format: { type: 'json_schema', json_schema: { name: 'x', schema: bad } } })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    const typed = error as InstanceType<typeof OpenAI.BadRequestError>;
    expect(typed.param).toBe('response_format.json_schema.schema.properties.age.minimum');
    expect(typed.message).toContain("'minimum'");
  });
});
