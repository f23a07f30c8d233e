import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { MODELS_DIR, startTestServer, type TestServer } from './helpers/test-server.js';
import { lfsFile, startLocalHub, type LocalHub } from './helpers/local-hub.js';

const REPO = 'llmux-test/brown-llama-1m-GGUF';
let hub: LocalHub;
let home: string;
let server: TestServer;

/** Runs `llmux ...` as a child process in an empty folder, with its own hub cache and the local hub. */
const llmux = (args: string[], input?: string) =>
  runCli(args, {
    cwd: home,
    input: input ?? '',
    env: { PATH: process.env.PATH, HOME: home, HF_HUB_CACHE: path.join(home, 'hub'), HF_ENDPOINT: hub.url, XDG_CONFIG_HOME: path.join(home, 'config'), LLMUX_MODELS_DIR: MODELS_DIR },
  });

beforeAll(async () => {
  home = await mkdtemp(path.join(tmpdir(), 'llmux-cli-'));
  hub = await startLocalHub({ [REPO]: [lfsFile(path.join(MODELS_DIR, 'brown-llama-1m-Q8_0.gguf')), lfsFile(path.join(MODELS_DIR, 'brown-llama-1m-F16.gguf'))] });
  server = await startTestServer({ modelDefaults: { ttl: '10m' } });
});

afterAll(async () => {
  await server?.stop();
  await hub?.close();
  await rm(home, { recursive: true, force: true });
});

describe('llmux CLI', () => {
  it('pulls, lists and removes models in the hub cache', async () => {
    const pulled = await llmux(['pull', `${REPO}:Q8_0`]);
    expect(pulled.stderr).toContain(`pulling ${REPO}:Q8_0 from ${hub.url}`);
    expect(pulled.stdout).toMatch(new RegExp(`^pulled ${REPO}:Q8_0 \\(gguf\\) .*brown-llama-1m-Q8_0\\.gguf\\n$`));
    expect(pulled.code).toBe(0);

    const listed = await llmux(['list']);
    expect(listed.code).toBe(0);
    const lines = listed.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^MODEL\s+FORMAT\s+QUANT\s+ARCH\s+CONTEXT\s+SIZE\s+ALIASES$/);
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${REPO}:Q8_0\\s+gguf\\s+Q8_0\\s+llama\\s+256\\s+1\\.16 MB$`)));
    expect(lines).toContainEqual(expect.stringMatching(/^stories260K\s+gguf\s+F32\s+llama\s+2048\s+1\.13 MB\s+stories, default$/));

    const removed = await llmux(['rm', `${REPO}:Q8_0`]);
    expect(removed.stdout).toBe(`deleted ${REPO}:Q8_0\n`);
    expect((await llmux(['list', '--json'])).stdout).not.toContain(REPO);
  });

  it('fails with the reason and a non-zero status', async () => {
    const missing = await llmux(['pull', `${REPO}:Q2_K`]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`llmux: ${REPO} has no Q2_K GGUF. Quantizations there: Q8_0, F16.`);
    const noServer = await llmux(['ps', '--url', 'http://127.0.0.1:9']);
    expect(noServer.code).toBe(1);
    expect(noServer.stderr).toMatch(/cannot reach the llmux server at http:\/\/127\.0\.0\.1:9/);
  });

  it('shows loaded models with memory and time left from a running server', async () => {
    await fetch(`${server.url}/admin/models/load`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model_id: 'brown' }) });
    const ps = await llmux(['ps', '--url', server.url]);
    expect(ps.code).toBe(0);
    const lines = ps.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^MODEL\s+STATE\s+MEMORY\s+UNLOADS IN\s+ACTIVE\s+QUEUED$/);
    expect(lines[1]).toMatch(/^brown-llama-1m\s+loaded\s+\d+(\.\d+)? MB\s+(9m \d+s|10m 0s)\s+0\s+0$/);
    expect(lines[2]).toMatch(/^memory: .* of .*\(cap: 90% of RAM or memory\.maxBytes\)$/);
  });

  it('chats against a running server: one prompt, then an interactive session from stdin', async () => {
    const once = await llmux(['run', 'brown', 'The jury said', '--url', server.url, '--max-tokens', '8', '--temperature', '0']);
    expect(once.code).toBe(0);
    expect(once.stdout.trim().length).toBeGreaterThan(0);
    const chat = await llmux(['run', 'stories', '--url', server.url, '--max-tokens', '12', '--temperature', '0'], 'Once upon a time\n/clear\nOnce upon a time\n/bye\nnever sent\n');
    expect(chat.code).toBe(0);
    const replies = chat.stdout.trim().split('\n');
    // Greedy decoding, and /clear dropped the first exchange: both replies are the same text.
    expect(replies).toHaveLength(2);
    expect(replies[0]).toBe(replies[1]);
    expect(replies[0]!.length).toBeGreaterThan(10);
  });

  it('serves in its own process when no server answers', async () => {
    const local = await llmux(['run', 'stories', 'Once upon a time', '--local', '--max-tokens', '10', '--temperature', '0']);
    expect(local.stderr).toBe('');
    expect(local.code).toBe(0);
    expect(local.stdout).toMatch(/\w+/);
  });
});
