import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { MODELS_DIR } from './helpers/test-server.js';

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../packages/server/dist/cli/main.cjs');
const children: ChildProcess[] = [];

/** Starts the real `llmux serve` executable and resolves its URL from the startup log line. */
function serve(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [MAIN, 'serve', '--port', '0', '--log-level', 'info', ...args], {
    env: { ...process.env, UV_THREADPOOL_SIZE: undefined, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no startup line within 20 s:\n${out}`)), 20_000);
    child.stdout!.on('data', (data: Buffer) => {
      out += data;
      const match = /llmux listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[1]!, child });
      }
    });
    child.stderr!.on('data', (data: Buffer) => (out += data));
    child.on('exit', (code) => reject(new Error(`llmux serve exited with ${code}:\n${out}`)));
  });
}

async function chat(url: string): Promise<string> {
  const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'unused', maxRetries: 0 });
  const stream = await client.chat.completions.create({
    model: 'default',
    messages: [{ role: 'user', content: 'Once upon a time' }],
    max_tokens: 12,
    temperature: 0,
    stream: true,
  });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
  return text;
}

const threadCount = (pid: number) => readdirSync(`/proc/${pid}/task`).length;

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

describe('llmux serve (the executable)', () => {
  it('takes the engine flags and serves the model', async () => {
    const { url } = await serve([
      '--model', path.join(MODELS_DIR, 'stories260K.gguf'),
      '--threads', '1', '--parallel', '2', '--context-size', '512', '--batch-size', '64', '--kv-cache', 'f16', '--no-flash-attention', '--prompt-cache', '64MB',
    ]);
    expect(await chat(url)).toMatch(/^, there was a little girl named Lily/);
    const status = (await (await fetch(`${url}/admin/status`)).json()) as { models: Array<{ prompt_cache: unknown }> };
    expect(status.models[0]!.prompt_cache).toEqual({ states: 0, bytes: 0, max_bytes: 64 * 1024 * 1024 });
  });

  it('runs on the prebuilt binding with LLMUX_BINDING=prebuilt, even where a local build exists', async () => {
    const model = ['--model', path.join(MODELS_DIR, 'stories260K.gguf'), '--threads', '1'];
    const { url } = await serve(model, { LLMUX_BINDING: 'prebuilt' });
    expect(await chat(url)).toMatch(/^, there was a little girl named Lily/);
    const device = (await (await fetch(`${url}/admin/device`)).json()) as { bindings: Array<{ binary: string }> };
    expect(device.bindings.map((binding) => binding.binary)).toEqual(['prebuilt']);
  });

  // The thread count is read from /proc: Linux only.
  it.runIf(existsSync('/proc/self/task'))('starts with one libuv pool thread unless UV_THREADPOOL_SIZE says otherwise', async () => {
    const model = ['--model', path.join(MODELS_DIR, 'stories260K.gguf'), '--threads', '1'];
    const small = await serve(model);
    const large = await serve(model, { UV_THREADPOOL_SIZE: '4' });
    await Promise.all([chat(small.url), chat(large.url)]); // the pool starts at first use
    expect(threadCount(large.child.pid!) - threadCount(small.child.pid!)).toBe(3);
  });
});
