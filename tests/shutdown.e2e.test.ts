import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { MODELS_DIR } from './helpers/test-server.js';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../packages/server/dist/cli/main.cjs');

interface Child {
  process: ChildProcessWithoutNullStreams;
  url: string;
  logs: Array<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children: ChildProcessWithoutNullStreams[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

/** `llmux serve --port 0` as a real child process; resolves once it logs its URL. */
async function serve(shutdownTimeout: string): Promise<Child> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'llmux-shutdown-'));
  const config = path.join(dir, 'llmux.config.json');
  await writeFile(
    config,
    JSON.stringify({
      server: { shutdownTimeout },
      models: { stories260K: { source: path.join(MODELS_DIR, 'stories260K.gguf'), aliases: ['stories'], contextSize: 8192, parallel: 2 } },
    }),
  );
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--config', config], { cwd: dir });
  children.push(child);
  const logs: Array<Record<string, unknown>> = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    child.stdout.on('data', (data: Buffer) => {
      buffered += data.toString();
      let newline;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        const entry = JSON.parse(line) as Record<string, unknown>;
        logs.push(entry);
        if (typeof entry.url === 'string') resolve(entry.url);
      }
    });
    void exited.then(() => reject(new Error(`llmux exited before listening: ${JSON.stringify(logs)}`)));
  });
  return { process: child, url, logs, exited };
}

/** Starts a stream and collects its SSE `data:` payloads until the server ends it. */
async function stream(url: string, maxTokens: number) {
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'stories', messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: maxTokens, stream: true }),
  });
  expect(res.status).toBe(200);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  const first = await reader.read();
  text += first.value ?? '';
  const rest = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    return text.split('\n\n').filter(Boolean).map((event) => event.replace(/^data: /, ''));
  })();
  // Marked handled here: the test that kills the server awaits it only at the end.
  rest.catch(() => undefined);
  return { events: rest };
}

describe('llmux serve shutdown', () => {
  it('on SIGTERM refuses new connections, lets a stream finish, unloads, exits 0', async () => {
    const child = await serve('10s');
    const inflight = await stream(child.url, 200);
    child.process.kill('SIGTERM');
    const events = await inflight.events;
    expect(events.at(-1)).toBe('[DONE]');
    expect(events.some((e) => e.includes('"finish_reason":"length"'))).toBe(true);
    await expect(fetch(`${child.url}/admin/health`)).rejects.toThrow();
    expect(await child.exited).toEqual({ code: 0, signal: null });
    const messages = child.logs.map((l) => l.msg);
    expect(messages).toContain('stopped');
    expect(child.logs.find((l) => l.msg === 'models unloaded')).toMatchObject({ models: ['stories260K'] });
  });

  it('past the deadline ends streams with a final error chunk, then exits 0', async () => {
    const child = await serve('300ms');
    const inflight = [await stream(child.url, 8000), await stream(child.url, 8000)];
    const signalled = Date.now();
    child.process.kill('SIGTERM');
    for (const { events } of inflight) {
      const all = await events;
      expect(all.at(-1)).not.toBe('[DONE]');
      const last = JSON.parse(all.at(-1)!) as { error: { code: string; message: string } };
      expect(last.error).toMatchObject({ code: 'backend_unavailable' });
      expect(last.error.message).toMatch(/shutting down.*log id: req_/);
    }
    expect(await child.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalled).toBeLessThan(5000);
    expect(child.logs.some((l) => l.msg === 'shutdown deadline passed; aborting in-flight requests')).toBe(true);
  });

  it('exits at once on a second signal', async () => {
    const child = await serve('60s');
    const inflight = await stream(child.url, 8000);
    child.process.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const second = Date.now();
    child.process.kill('SIGINT');
    expect(await child.exited).toEqual({ code: 1, signal: null });
    expect(Date.now() - second).toBeLessThan(1000);
    expect(child.logs.some((l) => l.msg === 'second signal: exiting now')).toBe(true);
    await inflight.events.catch(() => undefined);
  });
});

describe('draining', () => {
  it('serves nothing more on an open keep-alive connection once shutdown began, after its stream ends', async () => {
    const { startTestServer } = await import('./helpers/test-server.js');
    const { connect } = await import('node:net');
    const server = await startTestServer({ server: { shutdownTimeout: '5s' } });
    const socket = connect(server.port, '127.0.0.1');
    let received = '';
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    const firstBytes = new Promise<void>((resolve) => socket.once('data', () => resolve()));
    socket.on('data', (data) => (received += data.toString()));
    const chat = JSON.stringify({ model: 'stories', messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 300, stream: true });
    socket.write(`POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(chat)}\r\n\r\n${chat}`);
    await firstBytes;
    const stopped = server.stop();
    // Pipelined on the same connection: Node's server, closing, ends the connection after the stream instead.
    socket.write('GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n');
    await closed;
    await stopped;
    expect(received).toContain('data: [DONE]');
    expect(received.split('HTTP/1.1 ')).toHaveLength(2);
    await expect(fetch(`${server.url}/admin/health`)).rejects.toThrow();
  });
});
