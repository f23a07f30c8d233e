import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ollama } from 'ollama';
import { MODELS_DIR, startTestServer, type TestServer } from './helpers/test-server.js';
import { lfsFile, startLocalHub, type LocalHub } from './helpers/local-hub.js';

const REPO = 'llmux-test/brown-llama-1m-GGUF';
let hub: LocalHub;
let server: TestServer;
let ollama: Ollama;
let cacheDir: string;

beforeAll(async () => {
  cacheDir = await mkdtemp(path.join(tmpdir(), 'llmux-ollama-cache-'));
  const corrupted = lfsFile(path.join(MODELS_DIR, 'brown-llama-1m-F16.gguf'));
  corrupted.served = Buffer.from(corrupted.content);
  corrupted.served[5000] ^= 1;
  hub = await startLocalHub({ [REPO]: [lfsFile(path.join(MODELS_DIR, 'brown-llama-1m-Q8_0.gguf'))], 'llmux-test/corrupted': [corrupted] });
  server = await startTestServer({
    store: { cacheDir, hfEndpoint: hub.url, aliasesFile: path.join(cacheDir, 'aliases.json') },
    models: { stories: { source: path.join(MODELS_DIR, 'stories260K.gguf') } },
    router: { virtual: { fast: { strategy: 'fallback', targets: ['stories'] } } },
  });
  ollama = new Ollama({ host: server.url });
});

afterAll(async () => {
  await server?.stop();
  await hub?.close();
  await rm(cacheDir, { recursive: true, force: true });
});

describe('Ollama pull / tags / delete through the model store', () => {
  it('pulls with NDJSON progress, lists, serves and deletes the pulled model', async () => {
    const model = `${REPO}:Q8_0`;
    const progress = [];
    for await (const line of await ollama.pull({ model, stream: true })) progress.push(line);
    expect(progress[0]!.status).toBe('pulling manifest');
    expect(progress.at(-1)!.status).toBe('success');
    const downloads = progress.filter((line) => line.status.startsWith('pulling brown'));
    expect(downloads.at(-1)).toMatchObject({ digest: 'brown-llama-1m-Q8_0.gguf', completed: downloads.at(-1)!.total });
    expect(downloads.at(-1)!.total).toBeGreaterThan(1_000_000);

    const tags = await ollama.list();
    const pulled = tags.models.find((entry) => entry.name === model);
    expect(pulled).toMatchObject({ model, details: { format: 'gguf' } });

    const reply = await ollama.chat({ model, messages: [{ role: 'user', content: 'The jury said' }], stream: false, options: { num_predict: 4 } });
    expect(reply.eval_count).toBe(4);

    await ollama.delete({ model });
    expect((await ollama.list()).models.map((entry) => entry.name)).not.toContain(model);
    expect(existsSync(path.join(cacheDir, 'models--llmux-test--brown-llama-1m-GGUF'))).toBe(false);
  });

  it('pulls without streaming, and reports a corrupted download as an error', async () => {
    expect(await ollama.pull({ model: `${REPO}/brown-llama-1m-Q8_0.gguf`, stream: false })).toMatchObject({ status: 'success' });
    const failed = await ollama.pull({ model: 'llmux-test/corrupted', stream: false }).catch((e: unknown) => e);
    expect(failed).toMatchObject({ status_code: 502 });
    expect((failed as Error).message).toMatch(/failed verification/);
    const streamed = await (async () => {
      for await (const _ of await ollama.pull({ model: 'llmux-test/corrupted', stream: true })) {
        // progress lines until the error line
      }
    })().catch((e: unknown) => e);
    expect((streamed as Error).message).toMatch(/failed verification/);
  });

  it('lists the virtual models too, and serves them by their tagged names', async () => {
    const names = (await ollama.list()).models.map((entry) => entry.name);
    expect(names).toEqual(expect.arrayContaining(['stories:latest', 'fast:latest']));
    expect((await ollama.show({ model: 'fast:latest' })).details.format).toBe('');
    const reply = await ollama.chat({ model: 'fast:latest', messages: [{ role: 'user', content: 'Once upon a time' }], stream: false, options: { num_predict: 3 } });
    expect(reply).toMatchObject({ model: 'fast:latest', eval_count: 3, done: true });
  });

  it('refuses to delete a model file named in config', async () => {
    const refused = await ollama.delete({ model: 'stories:latest' }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ status_code: 400 });
    expect((refused as Error).message).toContain('named in config');
  });
});
