import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODELS_DIR, startTestServer, type TestServer } from './helpers/test-server.js';

// Two upstream llmux servers serve the same model; a front llmux pools them through the
// openai-upstream plugin. Killing one upstream must not show the client an error.
const storiesOnly = { models: { stories: { source: path.join(MODELS_DIR, 'stories260K.gguf') } } };

let upstreamA: TestServer;
let upstreamB: TestServer;
let front: TestServer;
let portA: number;

beforeAll(async () => {
  upstreamA = await startTestServer(storiesOnly);
  upstreamB = await startTestServer(storiesOnly);
  portA = upstreamA.port;
  const upstream = (server: TestServer) => ({
    source: `${server.url}/v1`,
    backend: 'openai-upstream',
    options: { model: 'stories', timeout: 10 },
  });
  front = await startTestServer({
    plugins: ['openai-upstream'],
    models: { a: upstream(upstreamA), b: upstream(upstreamB) },
    router: {
      retry: { attempts: 0, backoffMs: 0 },
      cooldown: { failures: 2, seconds: 1 },
      virtual: {
        fleet: { strategy: 'fallback', targets: ['a', 'b'] },
        spread: { strategy: 'round-robin', targets: ['a', 'b'] },
      },
    },
  });
});
afterAll(async () => {
  await front?.stop();
  await upstreamA?.stop();
  await upstreamB?.stop();
});

async function ask(model: string, stream = false) {
  const request = { model, messages: [{ role: 'user' as const, content: 'Once upon a time' }], temperature: 0, max_tokens: 12 };
  if (stream) {
    const { data, response } = await front.client.chat.completions.create({ ...request, stream: true }).withResponse();
    let text = '';
    for await (const chunk of data) text += chunk.choices[0]?.delta.content ?? '';
    return { text, model: response.headers.get('x-llmux-model'), reason: response.headers.get('x-llmux-route-reason') ?? '' };
  }
  const { data, response } = await front.client.chat.completions.create(request).withResponse();
  return { text: data.choices[0]!.message.content, model: response.headers.get('x-llmux-model'), reason: response.headers.get('x-llmux-route-reason') ?? '' };
}

describe('routing over upstream llmux servers', () => {
  it('round-robin spreads requests over both upstreams with the same answer', async () => {
    const answers = [await ask('spread'), await ask('spread')];
    expect(answers.map((a) => a.model)).toEqual(['a', 'b']);
    expect(answers[0]!.text).toBe(answers[1]!.text);
  });

  it('fails over when an upstream dies, with no client-visible error; cools it down; takes it back after a health check', async () => {
    const before = await ask('fleet');
    expect(before.model).toBe('a');

    await upstreamA.stop();
    const streamed = await ask('fleet', true);
    expect(streamed).toMatchObject({ model: 'b', text: before.text });
    expect(streamed.reason).toContain('a failed (backend_unavailable)');
    const second = await ask('fleet');
    expect(second.model).toBe('b');
    expect(front.runtime.health.available('a')).toBe(false);
    const cooling = await ask('fleet');
    expect(cooling.model).toBe('b');
    expect(cooling.reason).toContain('cooling down: a');

    upstreamA = await startTestServer({ ...storiesOnly, server: { port: portA } });
    await expect.poll(() => front.runtime.health.available('a'), { timeout: 5000, interval: 100 }).toBe(true);
    const recovered = await ask('fleet');
    expect(recovered).toMatchObject({ model: 'a', text: before.text });
    expect(front.runtime.health.snapshot().find((h) => h.model === 'a')).toMatchObject({ consecutiveFailures: 0, available: true });
  });
});
