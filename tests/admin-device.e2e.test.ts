import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findLocalBuild } from '@llmux/backend-gguf';
import { startTestServer, type TestServer } from './helpers/test-server.js';

describe('GET /admin/device', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.stop();
  });

  it('lists the binding in use with its device memory once a model is loaded', async () => {
    await server.client.chat.completions.create({
      model: 'stories260K',
      messages: [{ role: 'user', content: 'Once' }],
      max_tokens: 2,
      temperature: 0,
    });
    const response = await fetch(`${server.url}/admin/device`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { bindings: unknown[] };
    // The bundled models run on the CPU binding here (built on this machine by `llmux engine build` when one
    // exists, else prebuilt): no GPU, no device memory.
    const binary = findLocalBuild() ? 'localBuild' : 'prebuilt';
    expect(body.bindings).toEqual([
      { gpu: false, binary, devices: [], memory: { total_bytes: 0, used_bytes: 0, free_bytes: 0 } },
    ]);
  });
});
