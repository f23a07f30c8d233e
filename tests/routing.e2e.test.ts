import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@llmux/core';
import { MODELS_DIR, startTestServer, type TestServer } from './helpers/test-server.js';

let server: TestServer;
const logLines: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'llmux-routing-'));
  const broken = path.join(dir, 'broken.gguf');
  await writeFile(broken, 'this is not a GGUF file');
  const logs = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line) logLines.push(JSON.parse(line));
      done();
    },
  });
  server = await startTestServer(
    {
      models: {
        stories: { source: path.join(MODELS_DIR, 'stories260K.gguf'), parallel: 2, maxQueue: 4 },
        // The same weights under a second id: a pool of equivalent targets.
        twin: { source: path.join(MODELS_DIR, 'stories260K.gguf'), parallel: 2, maxQueue: 4 },
        brown: { source: path.join(MODELS_DIR, 'brown-llama-1m-Q8_0.gguf'), parallel: 2, maxQueue: 4 },
        broken: { source: broken },
      },
      router: {
        cooldown: { failures: 2, seconds: 60 },
        retry: { attempts: 0, backoffMs: 0 },
        virtual: {
          auto: { strategy: 'task', targets: [{ model: 'brown', task: 'code' }, { model: 'stories', task: 'default' }] },
          rr: { strategy: 'round-robin', targets: ['stories', 'brown'] },
          weighted: { strategy: 'weighted', targets: [{ model: 'stories', weight: 3 }, { model: 'brown', weight: 1 }] },
          pool: { strategy: 'least-loaded', targets: ['stories', 'twin'] },
          safe: { strategy: 'fallback', targets: ['broken', 'stories'] },
          roomy: { strategy: 'fallback', targets: ['brown', 'stories'] },
          smart: { strategy: 'cascade', targets: ['brown', 'stories'], options: { escalateOn: ['length'] } },
        },
      },
    },
    createLogger({ level: 'info', destination: logs }),
  );
});
afterAll(async () => {
  await server?.stop();
});

async function ask(model: string, content: string, extra: Record<string, unknown> = {}) {
  const response = await server.client.chat.completions
    .create({ model, messages: [{ role: 'user', content }], temperature: 0, max_tokens: 8, ...extra })
    .withResponse();
  return {
    body: response.data,
    model: response.response.headers.get('x-llmux-model'),
    route: response.response.headers.get('x-llmux-route'),
    reason: response.response.headers.get('x-llmux-route-reason') ?? '',
  };
}

describe('routing strategies on real models', () => {
  it('task: a coding question goes to the code model, a story to the default, with the reason in headers and logs', async () => {
    const code = await ask('auto', 'Write a Python function that sorts a list');
    expect(code).toMatchObject({ model: 'brown', route: 'task' });
    expect(code.reason).toMatch(/task 'code' \(.*language name/);
    const story = await ask('auto', 'Once upon a time');
    expect(story).toMatchObject({ model: 'stories', route: 'task' });
    expect(story.reason).toContain("task 'chat'");
    const line = logLines.find((l) => l.msg === 'chat completion' && l.model === 'brown');
    expect(line).toMatchObject({ route: 'task' });
    expect(String(line!.reason)).toContain("task 'code'");
  });

  it('round-robin alternates and weighted shares 3:1', async () => {
    const rr = [];
    for (let i = 0; i < 4; i++) rr.push((await ask('rr', 'Hello')).model);
    expect(rr).toEqual(['stories', 'brown', 'stories', 'brown']);
    const weighted = [];
    for (let i = 0; i < 8; i++) weighted.push((await ask('weighted', 'Hello')).model);
    expect(weighted.filter((m) => m === 'stories')).toHaveLength(6);
  });

  it('least-loaded sends a request away from a busy model', async () => {
    for (let i = 0; i < 3; i++) {
      await ask('stories', 'warm up');
      await ask('twin', 'warm up');
    }
    const controller = new AbortController();
    const busy = [0, 1, 2].map(() =>
      server.client.chat.completions
        .create({ model: 'stories', messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 1500, stream: true }, { signal: controller.signal })
        .then(async (stream) => {
          for await (const _ of stream) {
            // keep the sequence busy
          }
        })
        .catch(() => undefined),
    );
    await expect.poll(() => server.runtime.manager.peek('stories')?.stats(), { timeout: 5000 }).toMatchObject({ active: 2, queued: 1 });
    const routed = await ask('pool', 'Hello');
    controller.abort();
    await Promise.all(busy);
    expect(routed.model).toBe('twin');
    expect(routed.reason).toContain('least loaded');
  });

  it('fallback: a target that fails to load yields to the next with no client-visible error, then cools down', async () => {
    const first = await ask('safe', 'Once upon a time');
    expect(first.model).toBe('stories');
    expect(first.reason).toContain('broken failed (model_load_failed)');
    await ask('safe', 'Once upon a time');
    const third = await ask('safe', 'Once upon a time');
    expect(third.model).toBe('stories');
    expect(third.reason).toContain('cooling down: broken');
    expect(server.runtime.health.available('broken')).toBe(false);
  });

  it('context-window fallback: a prompt too long for the first model goes to one with a longer context', async () => {
    const long = 'Once upon a time there was a cat. '.repeat(60);
    const routed = await ask('roomy', long);
    expect(routed.model).toBe('stories');
    expect(routed.reason).toContain('brown failed (context_length_exceeded)');
  });

  it('cascade: escalates when the small model stops at the token limit, streaming the accepted answer', async () => {
    const accepted = await ask('smart', 'Once upon a time', { stop: ['.'], max_tokens: 30 });
    expect(accepted.model).toBe('stories');
    expect(accepted.reason).toContain('brown escalated: stopped at the token limit');
    expect(accepted.body.choices[0]!.finish_reason).toBe('stop');
    expect(accepted.body.choices[0]!.message.content).toBe(', there was a little girl named Lily');

    const stream = await server.client.chat.completions.create({
      model: 'smart',
      messages: [{ role: 'user', content: 'Once upon a time' }],
      temperature: 0,
      max_tokens: 30,
      stop: ['.'],
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe(', there was a little girl named Lily');
  });
});

describe('virtual models in the model list', () => {
  it('lists virtual names with their strategy and targets, and retrieves one', async () => {
    const list = await server.client.models.list();
    const auto = list.data.find((m) => m.id === 'auto') as unknown as Record<string, unknown>;
    expect(auto).toMatchObject({ object: 'model', owned_by: 'llmux', virtual: true, strategy: 'task', targets: ['brown', 'stories'] });
    expect(await server.client.models.retrieve('smart')).toMatchObject({ id: 'smart', strategy: 'cascade' });
  });
});
