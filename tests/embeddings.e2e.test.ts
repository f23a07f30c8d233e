import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.stop();
});

const dot = (a: number[], b: number[]) => a.reduce((sum, value, index) => sum + value * b[index]!, 0);

describe('POST /v1/embeddings with the openai client', () => {
  it('embeds a list of strings: one unit vector per input, in order, with usage', async () => {
    const result = await server.client.embeddings.create({ model: 'brown', input: ['The jury said', 'a cat', 'The jury said'], encoding_format: 'float' });
    expect(result.object).toBe('list');
    expect(result.model).toBe('brown-llama-1m');
    expect(result.data.map((item) => [item.object, item.index])).toEqual([
      ['embedding', 0],
      ['embedding', 1],
      ['embedding', 2],
    ]);
    const [a, b, c] = result.data.map((item) => item.embedding);
    // brown is 128 wide.
    expect(a).toHaveLength(128);
    expect(dot(a!, a!)).toBeCloseTo(1, 5);
    expect(c).toEqual(a);
    expect(b).not.toEqual(a);
    expect(result.usage.prompt_tokens).toBeGreaterThan(3);
    expect(result.usage.total_tokens).toBe(result.usage.prompt_tokens);
  });

  it('gives the same vectors as base64 (the openai client default) and for token ids', async () => {
    const asFloat = await server.client.embeddings.create({ model: 'stories', input: 'Once upon a time', encoding_format: 'float' });
    // The client asks for base64 when no format is given and decodes it to floats.
    const asBase64 = await server.client.embeddings.create({ model: 'stories', input: 'Once upon a time' });
    const expected = asFloat.data[0]!.embedding;
    expect(expected).toHaveLength(64);
    asBase64.data[0]!.embedding.forEach((value, index) => expect(value).toBeCloseTo(expected[index]!, 6));
    const raw = await fetch(`${server.url}/v1/embeddings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'stories', input: 'Once upon a time', encoding_format: 'base64' }),
    }).then((response) => response.json() as Promise<{ data: Array<{ embedding: string }> }>);
    const bytes = Buffer.from(raw.data[0]!.embedding, 'base64');
    expect(bytes.length).toBe(64 * 4);
    expect(bytes.readFloatLE(0)).toBeCloseTo(expected[0]!, 6);

    const tokens = await server.client.embeddings.create({ model: 'stories', input: [[1, 403, 407, 261, 378]], encoding_format: 'float' });
    tokens.data[0]!.embedding.forEach((value, index) => expect(value).toBeCloseTo(expected[index]!, 5));
  });

  it('rejects dimensions it cannot give, empty inputs, unknown token ids and overlong inputs with 400s', async () => {
    const cases: Array<[Record<string, unknown>, string, string?]> = [
      [{ input: 'hello', dimensions: 32 }, 'dimensions'],
      [{ input: '' }, 'input'],
      [{ input: [[1, 99999]] }, 'input[0]'],
      [{ input: ['ok', 'Once upon a time '.repeat(600)] }, 'input[1]', 'context_length_exceeded'],
    ];
    for (const [override, param, code] of cases) {
      const error = await server.client.embeddings.create({ model: 'stories', ...override } as never).catch((caught: unknown) => caught);
      expect(error, JSON.stringify(override).slice(0, 60)).toBeInstanceOf(OpenAI.BadRequestError);
      const typed = error as InstanceType<typeof OpenAI.BadRequestError>;
      expect(typed.param).toBe(param);
      if (code) expect(typed.code).toBe(code);
    }
    const same = await server.client.embeddings.create({ model: 'stories', input: 'hello', dimensions: 64, encoding_format: 'float' });
    expect(same.data[0]!.embedding).toHaveLength(64);
  });
});
