import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes, LlmuxError, parseConfig, silentLogger, type ChatRequest, type LoadedModel, type StreamPart } from '@llmux/core';
import { collectStream } from '@llmux/core/testing';
import { startServer } from '@llmux/server';
import { OpenAIUpstreamBackend } from '../src/index.js';
import { chunk, errorBody, sse, startStubUpstream, type StubUpstream } from './stub-upstream.js';

let stub: StubUpstream;
let model: LoadedModel;
const backend = new OpenAIUpstreamBackend(undefined, undefined, { UPSTREAM_KEY: 'sk-stub' });
const location = () => ({ id: 'remote', format: 'remote' as const, path: stub.baseURL, backend: 'openai-upstream' });
const ask = (extra: Partial<ChatRequest> = {}): ChatRequest => ({ model: 'remote', messages: [{ role: 'user', content: 'hi' }], sampling: {}, ...extra });

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  stub = await startStubUpstream();
  model = await backend.load(location(), { parallel: 2, maxQueue: 2, backendOptions: { model: 'up-model', apiKeyEnv: 'UPSTREAM_KEY' } });
});
afterAll(async () => {
  await model?.unload();
  await stub?.close();
});

describe('OpenAIUpstreamBackend against a scripted upstream', () => {
  it('passes each upstream chunk on as it arrives, then usage and the finish reason', async () => {
    let sawFirstPart!: () => void;
    const firstPartSeen = new Promise<void>((resolve) => (sawFirstPart = resolve));
    stub.handle(async (_request, res) => {
      const out = sse(res);
      out.send(chunk({ role: 'assistant', content: 'Hel' }));
      // The next chunk is sent only once the consumer has the first part: nothing is buffered.
      await firstPartSeen;
      out.send(chunk({ content: 'lo' }));
      out.send(chunk({}, 'stop'));
      out.send(chunk({}, null, { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7, prompt_tokens_details: { cached_tokens: 3 } }));
      out.end();
    });
    const parts: StreamPart[] = [];
    for await (const part of await model.stream(ask({ maxTokens: 9, stop: ['x'], sampling: { temperature: 0, topK: 5, seed: 1 } }))) {
      parts.push(part);
      if (parts.length === 1) sawFirstPart();
    }
    expect(parts).toEqual([
      { type: 'text-delta', text: 'Hel' },
      { type: 'text-delta', text: 'lo' },
      { type: 'finish', reason: 'stop', raw: 'stop', usage: { promptTokens: 5, cachedPromptTokens: 3, completionTokens: 2 } },
    ]);
    const sent = stub.requests.at(-1)!;
    expect(sent.headers.authorization).toBe('Bearer sk-stub');
    expect(sent.body).toMatchObject({
      model: 'up-model',
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 9,
      stop: ['x'],
      temperature: 0,
      top_k: 5,
      seed: 1,
      messages: [{ role: 'user', content: 'hi' }],
    });
  });

  it('maps streamed tool calls and reasoning to their parts', async () => {
    stub.handle((_request, res) => {
      const out = sse(res);
      out.send(chunk({ reasoning_content: 'thinking' }));
      out.send(chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city"' } }] }));
      out.send(chunk({ tool_calls: [{ index: 0, function: { arguments: ':"Oslo"}' } }] }));
      out.send(chunk({}, 'tool_calls'));
      out.end();
    });
    const { order, finish } = await collectStream(await model.stream(ask({ tools: [{ name: 'get_weather', parameters: { type: 'object' } }] })));
    expect(order).toEqual(['reasoning-delta', 'tool-call-start', 'tool-call-delta', 'tool-call-delta', 'tool-call-end', 'finish']);
    expect(finish).toMatchObject({ reason: 'tool-calls', raw: 'tool_calls' });
    expect(stub.requests.at(-1)!.body).toMatchObject({ tools: [{ type: 'function', function: { name: 'get_weather' } }] });
  });

  it.each([
    [404, 'no such model', null, ErrorCodes.modelNotFound, false],
    [400, 'temperature is out of range', null, ErrorCodes.invalidRequest, false],
    [400, 'prompt has 9000 tokens, maximum context length is 8192 tokens', 'context_length_exceeded', ErrorCodes.contextLengthExceeded, false],
    [429, 'slow down', null, ErrorCodes.rateLimited, true],
    [503, 'busy', null, ErrorCodes.overloaded, true],
    [502, 'bad gateway', null, ErrorCodes.backendUnavailable, true],
  ] as const)('maps an upstream %i (%s) to %s before any part', async (status, message, code, expected, retryable) => {
    stub.handle(errorBody(status, message, code, { 'retry-after': '7' }));
    const error = await model.stream(ask()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LlmuxError);
    expect(error).toMatchObject({ code: expected, retryable });
    if (status === 429 || status === 503) expect((error as LlmuxError).retryAfterSeconds).toBe(7);
    if (code === 'context_length_exceeded') expect((error as LlmuxError).details).toMatchObject({ promptTokens: 9000, contextLength: 8192 });
    expect(model.stats()).toMatchObject({ active: 0, queued: 0 });
  });

  it('ends the stream with an error part when the upstream fails mid-stream', async () => {
    stub.handle((_request, res) => {
      const out = sse(res);
      out.send(chunk({ content: 'partial' }));
      out.send({ error: { message: 'engine crashed', type: 'server_error', code: 'generation_failed' } });
      res.end();
    });
    const { text, finish } = await collectStream(await model.stream(ask()));
    expect(text).toBe('partial');
    expect(finish).toMatchObject({ reason: 'error' });
    expect(finish?.error).toBeInstanceOf(LlmuxError);
  });

  it('ends a stream whose upstream stops sending with an error part after the timeout', async () => {
    const impatient = await backend.load(location(), { parallel: 1, maxQueue: 0, backendOptions: { model: 'up-model', timeout: 0.3 } });
    stub.handle((_request, res) => {
      sse(res).send(chunk({ content: 'and then' }));
      // ...nothing more, and the connection stays open.
    });
    const { text, finish } = await collectStream(await impatient.stream(ask()));
    expect(text).toBe('and then');
    expect(finish).toMatchObject({ reason: 'error', raw: 'timeout' });
    expect((finish?.error as Error).message).toMatch(/stopped sending for 0\.3 s/);
    expect(impatient.stats().active).toBe(0);
    await impatient.unload();
  });

  it('says the upstream is unavailable (retryable) when nothing listens, at load and in health checks', async () => {
    const down = { ...location(), path: `http://127.0.0.1:${await closedPort()}/v1` };
    const error = await backend.load(down, { parallel: 1, maxQueue: 0 }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: ErrorCodes.backendUnavailable, retryable: true });
    expect((error as Error).message).toMatch(/Cannot reach the upstream http:\/\/127\.0\.0\.1:\d+\/v1 \(ECONNREFUSED\)/);
    const health = await backend.checkHealth(down);
    expect(health).toMatchObject({ ok: false, error: { code: ErrorCodes.backendUnavailable } });
    expect(await backend.checkHealth(location())).toMatchObject({ ok: true, models: ['up-model'] });
  });

  it('sends no Authorization header without a key, and refuses a missing key variable', async () => {
    const open = await backend.load(location(), { parallel: 1, maxQueue: 0, backendOptions: { model: 'up-model' } });
    stub.handle((_request, res) => {
      const out = sse(res);
      out.send(chunk({}, 'stop'));
      out.end();
    });
    await collectStream(await open.stream(ask()));
    expect(stub.requests.at(-1)!.headers.authorization).toBeUndefined();
    await open.unload();
    await expect(backend.load(location(), { parallel: 1, maxQueue: 0, backendOptions: { apiKeyEnv: 'NOT_SET_ANYWHERE' } })).rejects.toThrow(
      /NOT_SET_ANYWHERE/,
    );
  });
});

describe('llmux with the plugin named in config', () => {
  it('serves an upstream model to the openai client, streaming and with mapped errors', async () => {
    const config = parseConfig({
      server: { host: '127.0.0.1', port: 0 },
      plugins: ['openai-upstream'],
      models: { remote: { source: stub.baseURL, backend: 'openai-upstream', options: { model: 'up-model' } } },
    });
    const front = await startServer(config, silentLogger());
    try {
      expect(front.runtime.plugins.map((plugin) => plugin.name)).toEqual(['@llmux/backend-gguf', '@llmux/backend-mlx', '@llmux/router', 'llmux-plugin-openai-upstream']);
      const client = new OpenAI({ baseURL: `${front.url}/v1`, apiKey: 'unused', maxRetries: 0 });
      stub.handle((_request, res) => {
        const out = sse(res);
        for (const word of ['one', ' two', ' three']) out.send(chunk({ content: word }));
        out.send(chunk({}, 'length'));
        out.send(chunk({}, null, { prompt_tokens: 4, completion_tokens: 3, total_tokens: 7 }));
        out.end();
      });
      const stream = await client.chat.completions.create({
        model: 'remote',
        messages: [{ role: 'user', content: 'count' }],
        stream: true,
        stream_options: { include_usage: true },
      });
      let text = '';
      let finishReason: string | null | undefined;
      let usage: unknown;
      for await (const part of stream) {
        text += part.choices[0]?.delta.content ?? '';
        finishReason = part.choices[0]?.finish_reason ?? finishReason;
        usage = part.usage ?? usage;
      }
      expect(text).toBe('one two three');
      expect(finishReason).toBe('length');
      expect(usage).toMatchObject({ prompt_tokens: 4, completion_tokens: 3 });

      stub.handle(errorBody(429, 'slow down', null, { 'retry-after': '3' }));
      const error = await client.chat.completions.create({ model: 'remote', messages: [{ role: 'user', content: 'x' }] }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(OpenAI.RateLimitError);
      expect((error as InstanceType<typeof OpenAI.RateLimitError>).code).toBe('rate_limit_exceeded');
    } finally {
      await front.stop();
    }
  });
});
