import { createInterface } from 'node:readline/promises';
import { createLogger } from '@llmux/core';
import type { RunningServer } from '../server.js';
import { resolveServeConfig } from './serve-command.js';
import { requestJson, serverUrl, type ServerOption } from './cli-context.js';
import { streamChat, type ChatMessage } from './chat-stream.js';

export interface RunOptions extends ServerOption {
  system?: string;
  maxTokens?: string;
  temperature?: string;
  /** Never look for a running server; serve in this process. */
  local?: boolean;
}

/**
 * `llmux run MODEL [PROMPT]`: a chat in the terminal, streaming, against the running server (or,
 * when none answers, one started in this process). With a prompt, answers once and exits.
 */
export async function runCommand(model: string, prompt: string | undefined, options: RunOptions): Promise<void> {
  const { url, server } = await connect(options);
  try {
    const loaded = await requestJson<{ id: string }>(`${url}/admin/models/load`, { method: 'POST', body: JSON.stringify({ model_id: model }) });
    const chatOptions = {
      ...(options.maxTokens !== undefined ? { maxTokens: Number(options.maxTokens) } : {}),
      ...(options.temperature !== undefined ? { temperature: Number(options.temperature) } : {}),
    };
    const history: ChatMessage[] = options.system ? [{ role: 'system', content: options.system }] : [];
    const write = (text: string) => process.stdout.write(text);

    if (prompt !== undefined) {
      await streamChat(url, loaded.id, [...history, { role: 'user', content: prompt }], write, chatOptions);
      write('\n');
      return;
    }
    await chatLoop(url, loaded.id, history, chatOptions);
  } finally {
    await server?.stop();
  }
}

async function chatLoop(url: string, model: string, history: ChatMessage[], chatOptions: { maxTokens?: number; temperature?: number }): Promise<void> {
  const tty = Boolean(process.stdin.isTTY);
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: tty });
  const initial = history.length;
  let generating: AbortController | undefined;
  rl.on('SIGINT', () => {
    if (generating) generating.abort();
    else rl.close();
  });
  if (tty) process.stdout.write(`Chatting with ${model}. /clear forgets the conversation, /bye (or Ctrl-D) quits.\n`);
  rl.setPrompt('>>> ');
  if (tty) rl.prompt();
  for await (const line of rl) {
    const text = line.trim();
    if (text === '/bye' || text === '/exit') break;
    if (text === '/clear') {
      history.length = initial;
    } else if (text) {
      history.push({ role: 'user', content: text });
      generating = new AbortController();
      try {
        const reply = await streamChat(url, model, history, (delta) => process.stdout.write(delta), { ...chatOptions, signal: generating.signal });
        history.push({ role: 'assistant', content: reply });
        process.stdout.write('\n');
      } catch (error) {
        history.pop();
        process.stdout.write('\n');
        if (!generating.signal.aborted) process.stderr.write(`llmux: ${(error as Error).message}\n`);
      } finally {
        generating = undefined;
      }
    }
    if (tty) rl.prompt();
  }
  rl.close();
}

/** The running server when it answers; otherwise a server in this process on a free port. */
async function connect(options: RunOptions): Promise<{ url: string; server?: RunningServer }> {
  if (!options.local) {
    const url = await serverUrl(options);
    const alive = await fetch(`${url}/admin/health`, { signal: AbortSignal.timeout(1500) }).then((res) => res.ok, () => false);
    if (alive) return { url };
    if (options.url) throw new Error(`no llmux server answers at ${url}. Start one with 'llmux serve', or drop --url to run in this process.`);
  }
  const { config } = await resolveServeConfig({ ...(options.config ? { config: options.config } : {}), port: '0', host: '127.0.0.1', logLevel: 'silent' });
  const { startServer } = await import('../server.js');
  const server = await startServer(config, createLogger({ level: 'silent' }));
  return { url: server.url, server };
}
