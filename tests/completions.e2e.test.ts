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


describe('POST /v1/completions with the openai client', () => {
  it('continues a prompt as raw text, with OpenAI fields', async () => {
    const completion = await server.client.completions.create({ model: 'stories', prompt: STORY, temperature: 0, max_tokens: 12 });
    expect(completion.object).toBe('text_completion');
    expect(completion.id).toMatch(/^cmpl-/);
    expect(completion.model).toBe('stories260K');
    expect(typeof completion.created).toBe('number');
    expect(completion.choices).toHaveLength(1);
    const [choice] = completion.choices;
    expect(Object.keys(choice!).sort()).toEqual(['finish_reason', 'index', 'logprobs', 'text']);
    expect(choice!.index).toBe(0);
    expect(choice!.logprobs).toBeNull();
    expect(choice!.finish_reason).toBe('length');
    expect(STORY_CONTINUATION.startsWith(choice!.text)).toBe(true);
    expect(completion.usage).toMatchObject({ prompt_tokens: 5, completion_tokens: 12, total_tokens: 17 });
  });

  it("reads special-token text in a prompt as those tokens, as llama-server does: brown's ChatML by hand answers as the chat route", async () => {
    const question = 'What is the news?';
    const chat = await server.client.chat.completions.create({ model: 'brown', messages: [{ role: 'user', content: question }], temperature: 0, max_tokens: 48 });
    const completion = await server.client.completions.create({
      model: 'brown',
      prompt: `<|im_start|>user\n${question}<|im_end|>\n<|im_start|>assistant\n`,
      temperature: 0,
      max_tokens: 48,
    });
    expect(completion.choices[0]!.text).toBe(chat.choices[0]!.message.content);
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    // Three special tokens, one each (as characters the prompt was 39 tokens).
    expect(completion.usage!.prompt_tokens).toBe(19);
    // A prompt that starts with the beginning-of-sequence text gets no second one.
    const plain = await server.client.completions.create({ model: 'stories', prompt: STORY, temperature: 0, max_tokens: 12 });
    const withBos = await server.client.completions.create({ model: 'stories', prompt: `<s>${STORY}`, temperature: 0, max_tokens: 12 });
    expect(withBos.usage!.prompt_tokens).toBe(plain.usage!.prompt_tokens);
    expect(withBos.choices[0]!.text).toBe(plain.choices[0]!.text);
  });

  it('uses 16 tokens when max_tokens is absent, as OpenAI does', async () => {
    const completion = await server.client.completions.create({ model: 'stories', prompt: STORY, temperature: 0 });
    expect(completion.usage!.completion_tokens).toBe(16);
  });

  it('gives n choices per prompt for an array of prompts, indexed prompt-major, with echo and stop', async () => {
    const completion = await server.client.completions.create({
      model: 'stories',
      prompt: [STORY, 'Lily'],
      n: 2,
      temperature: 0,
      max_tokens: 12,
      echo: true,
      stop: ['girl'],
    });
    expect(completion.choices.map((choice) => choice.index)).toEqual([0, 1, 2, 3]);
    const [a, b, c, d] = completion.choices;
    expect(a!.text).toBe(`${STORY}, there was a little `);
    expect(a!.finish_reason).toBe('stop');
    expect(b!.text).toBe(a!.text);
    expect(c!.text.startsWith('Lily ')).toBe(true);
    expect(d!.text).toBe(c!.text);
    // Prompt tokens count once per prompt, completion tokens per choice.
    expect(completion.usage!.prompt_tokens).toBeLessThan(12);
  });

  it('streams text chunks, then a finish chunk, then usage when asked', async () => {
    const stream = await server.client.completions.create({
      model: 'stories',
      prompt: STORY,
      temperature: 0,
      max_tokens: 12,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    for (const chunk of chunks) {
      expect(chunk.object).toBe('text_completion');
      expect(chunk.id).toBe(chunks[0]!.id);
    }
    const text = chunks.map((chunk) => chunk.choices[0]?.text ?? '').join('');
    expect(STORY_CONTINUATION.startsWith(text)).toBe(true);
    expect(chunks.filter((chunk) => chunk.choices[0]?.finish_reason)).toHaveLength(1);
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toMatchObject({ prompt_tokens: 5, completion_tokens: 12, total_tokens: 17 });
  });

  it('returns legacy logprobs: tokens, token_logprobs, top_logprobs and text_offset', async () => {
    const completion = await server.client.completions.create({ model: 'stories', prompt: STORY, temperature: 0, max_tokens: 6, logprobs: 3 });
    const [choice] = completion.choices;
    const logprobs = choice!.logprobs!;
    expect(logprobs.tokens).toHaveLength(6);
    expect(logprobs.tokens!.join('')).toBe(choice!.text);
    expect(logprobs.token_logprobs).toHaveLength(6);
    logprobs.token_logprobs!.forEach((logprob, index) => {
      expect(logprob).toBeLessThanOrEqual(0);
      const top = logprobs.top_logprobs![index]!;
      expect(Object.keys(top)).toHaveLength(3);
      // Greedy picks the most likely token, which heads the alternatives.
      expect(Math.max(...Object.values(top))).toBeCloseTo(logprob, 6);
      expect(top[logprobs.tokens![index]!]).toBeCloseTo(logprob, 6);
    });
    let offset = 0;
    logprobs.tokens!.forEach((token, index) => {
      expect(logprobs.text_offset![index]).toBe(offset);
      offset += token.length;
    });
  });

  it('answers what it cannot do with 400s naming the field', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ suffix: ' the end.' }, 'suffix'],
      [{ echo: true, logprobs: 1 }, 'echo'],
      [{ best_of: 3 }, 'best_of'],
      [{ prompt: [1, 2, 3] }, 'prompt'],
      [{ prompt: 'Once upon a time '.repeat(600) }, 'prompt'],
      [{ logprobs: 9 }, 'logprobs'],
      [{ max_tokens: 'many' }, 'max_tokens'],
    ];
    for (const [override, param] of cases) {
      const error = await server.client.completions.create({ model: 'stories', prompt: STORY, ...override } as never).catch((caught: unknown) => caught);
      expect(error, JSON.stringify(override).slice(0, 60)).toBeInstanceOf(OpenAI.BadRequestError);
      expect((error as InstanceType<typeof OpenAI.BadRequestError>).param).toBe(param);
    }
    const overflow = await server.client.completions
      .create({ model: 'stories', prompt: 'Once upon a time '.repeat(600) })
      .catch((caught: unknown) => caught as InstanceType<typeof OpenAI.BadRequestError>);
    expect(overflow.code).toBe('context_length_exceeded');
    expect(overflow.message).toMatch(/maximum context length is \d+ tokens, but the prompt has \d+ tokens/);
  });
});
