import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import {
  BackendRegistryToken,
  createLogger,
  silentLogger,
  type Backend,
  type LoadedModel,
  type Registry,
  type StreamPart,
} from '@llmux/core';
import { GgufBackend } from '@llmux/backend-gguf';
import { MODELS_DIR, startTestServer, type TestServer } from './helpers/test-server.js';

/**
 * The real GGUF backend with a fault injected: its streams throw after three parts, as a buggy
 * third-party backend would (instead of finishing with `error`).
 */
class ThrowingBackend implements Backend {
  readonly specificationVersion = 'v1' as const;
  readonly id = 'throwing';
  readonly capabilities = { formats: ['gguf'] as const, platforms: [] };
  private readonly inner = new GgufBackend({ logger: silentLogger() });
  canLoad = () => Promise.resolve(true);
  estimateMemory: Backend['estimateMemory'] = (model, options) => this.inner.estimateMemory(model, options);
  dispose = () => this.inner.dispose();
  async load(...args: Parameters<Backend['load']>): Promise<LoadedModel> {
    const model = await this.inner.load(...args);
    const stream: LoadedModel['stream'] = async (request, options) => {
      const parts = await model.stream(request, options);
      return (async function* (): AsyncGenerator<StreamPart> {
        let count = 0;
        for await (const part of parts) {
          if (++count > 3) throw new Error('engine exploded');
          yield part;
        }
      })();
    };
    return Object.assign(Object.create(model) as LoadedModel, { stream });
  }
}

const lines: string[] = [];
const logger = createLogger({
  level: 'info',
  destination: new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  }),
});

let server: TestServer;
beforeAll(async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'llmux-isolation-'));
  const broken = path.join(dir, 'broken.gguf');
  await writeFile(broken, Buffer.concat([Buffer.from('GGUF'), Buffer.alloc(4096, 7)]));
  const stories = path.join(MODELS_DIR, 'stories260K.gguf');
  server = await startTestServer(
    {
      models: {
        stories260K: { source: stories, aliases: ['stories'] },
        broken: { source: broken },
        throwing: { source: stories, backend: 'throwing', parallel: 2 },
      },
    },
    logger,
  );
  server.runtime.container.resolve<Registry<Backend>>(BackendRegistryToken).register(new ThrowingBackend());
});
afterAll(() => server?.stop());

const PROMPT = 'Once upon a time SECRET-PROMPT-7731';
const ask = (model: string, extra: Partial<OpenAI.ChatCompletionCreateParamsNonStreaming> = {}) =>
  server.client.chat.completions.create({ model, messages: [{ role: 'user', content: PROMPT }], max_tokens: 30, temperature: 0, ...extra });

describe('one failure stays with its request', () => {
  it('a model that fails to load answers 500 model_load_failed; the others keep serving', async () => {
    const error = await ask('broken').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    const apiError = error as InstanceType<typeof OpenAI.InternalServerError>;
    expect(apiError.code).toBe('model_load_failed');
    expect(apiError.message).toMatch(/broken.*log id: req_/);
    expect((await ask('stories')).choices[0]!.message.content!.length).toBeGreaterThan(0);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toContain('llmux_model_load_failures_total{model="broken"} 1');
  });

  it('a backend that throws mid-stream ends that stream with an error event; a parallel stream finishes', async () => {
    const healthy = ask('stories', { max_tokens: 200 });
    const res = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'iso-stream-1' },
      body: JSON.stringify({ model: 'throwing', messages: [{ role: 'user', content: PROMPT }], max_tokens: 50, stream: true }),
    });
    expect(res.status).toBe(200);
    const events = (await res.text()).split('\n\n').filter(Boolean);
    const last = JSON.parse(events.at(-1)!.replace(/^data: /, '')) as { error: { code: string; message: string } };
    expect(last.error.code).toBe('internal_error');
    expect(last.error.message).toBe('The server had an error while processing the request. (log id: iso-stream-1)');
    expect(events).not.toContain('data: [DONE]');
    expect((await healthy).choices[0]!.finish_reason).toBe('length');
  });

  it('a backend that throws in a non-streaming request answers 500 and frees its sequences', async () => {
    const error = await ask('throwing').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect((error as InstanceType<typeof OpenAI.InternalServerError>).code).toBe('internal_error');
    // The sequence is released when the engine has stopped, shortly after the answer.
    await expect.poll(() => server.runtime.manager.peek('throwing')!.stats(), { timeout: 5000 }).toMatchObject({ active: 0, queued: 0, slots: 2 });
    expect((await fetch(`${server.url}/admin/health`)).status).toBe(200);
  });

  it('logs the failure with its request id and the cause, and no prompt text at info level', () => {
    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const failure = entries.find((e) => e.msg === 'stream ended with an error');
    expect(failure).toMatchObject({ requestId: 'iso-stream-1', err: { message: 'engine exploded' } });
    expect(entries.some((e) => e.msg === 'model load failed' && e.model === 'broken')).toBe(true);
    for (const entry of entries.filter((e) => e.req !== undefined)) expect((entry.req as { id?: string }).id).toMatch(/^(req_|iso-)/);
    expect(lines.join('')).not.toContain('SECRET-PROMPT-7731');
  });

  it('logs prompt text at debug level', async () => {
    logger.level = 'debug';
    try {
      await ask('stories', { max_tokens: 2 });
    } finally {
      logger.level = 'info';
    }
    const debug = lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((e) => e.msg === 'chat completion messages');
    expect(JSON.stringify(debug)).toContain('SECRET-PROMPT-7731');
    expect(debug!.req).toMatchObject({ id: expect.stringMatching(/^req_/) });
  });
});
