// One streamed chat request through `llmux serve` (HTTP, SSE) against the same generation done directly with
// node-llama-cpp's LlamaChat in this process: same model, same threads, same prompt, greedy. Rounds alternate
// between the two so machine noise hits both; medians are reported.
//
//   node bench/server-vs-direct.mjs [--model models/stories260K.gguf] [--tokens 200] [--rounds 7] [--threads 1]
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { getLlama, LlamaChat } from 'node-llama-cpp';
import { PlainChatWrapper } from '@llmux/backend-gguf';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith('--') ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []),
);
const modelPath = path.resolve(root, args.model ?? 'models/stories260K.gguf');
const tokens = Number(args.tokens ?? 200);
const rounds = Number(args.rounds ?? 7);
const threads = Number(args.threads ?? 1);
const prompt = 'Once upon a time';

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function freePort() {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  return port;
}

async function startLlmux(port) {
  const child = spawn(
    process.execPath,
    [path.join(root, 'packages/server/dist/cli/main.cjs'), 'serve', '--model', modelPath, '--port', String(port), '--threads', String(threads), '--parallel', '1', '--log-level', 'warn'],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/admin/health`)).ok) return child;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('llmux did not start');
}

async function viaServer(port) {
  const started = performance.now();
  const res = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'default', messages: [{ role: 'user', content: prompt }], temperature: 0, max_tokens: tokens, stream: true, stream_options: { include_usage: true } }),
  });
  let first;
  let completion = 0;
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of res.body) {
    buffer += decoder.decode(chunk, { stream: true });
    let index;
    while ((index = buffer.indexOf('\n\n')) >= 0) {
      const line = buffer.slice(0, index);
      buffer = buffer.slice(index + 2);
      if (!line.startsWith('data: ') || line === 'data: [DONE]') continue;
      const data = JSON.parse(line.slice(6));
      if (data.choices?.[0]?.delta?.content) first ??= performance.now();
      if (data.usage) completion = data.usage.completion_tokens;
    }
  }
  const ended = performance.now();
  return { tokPerSec: completion / ((ended - started) / 1000), ttftMs: first - started, completion };
}

async function direct(chat) {
  const started = performance.now();
  let first;
  let completion = 0;
  await chat.generateResponse([{ type: 'user', text: prompt }, { type: 'model', response: [] }], {
    maxTokens: tokens,
    temperature: 0,
    topK: 0,
    topP: 1,
    minP: 0,
    repeatPenalty: false,
    onToken: (t) => {
      completion += t.length;
    },
    onTextChunk: () => {
      first ??= performance.now();
    },
  });
  const ended = performance.now();
  return { tokPerSec: completion / ((ended - started) / 1000), ttftMs: first - started, completion };
}

const port = await freePort();
const child = await startLlmux(port);
const llama = await getLlama({ gpu: false, build: 'never', logLevel: 'error' });
const model = await llama.loadModel({ modelPath });
const context = await model.createContext({ contextSize: 2048, sequences: 1, threads, flashAttention: false });
const chat = new LlamaChat({ contextSequence: context.getSequence(), chatWrapper: new PlainChatWrapper() });

await viaServer(port); // warm-up: JIT load and first evaluation
await direct(chat);
const server = [];
const local = [];
for (let round = 0; round < rounds; round++) {
  server.push(await viaServer(port));
  local.push(await direct(chat));
}
child.kill('SIGTERM');
await once(child, 'exit');

const result = {
  date: new Date().toISOString(),
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
  model: path.basename(modelPath),
  threads,
  tokens,
  rounds,
  server: { tokPerSecMedian: median(server.map((r) => r.tokPerSec)), ttftMsMedian: median(server.map((r) => r.ttftMs)) },
  direct: { tokPerSecMedian: median(local.map((r) => r.tokPerSec)), ttftMsMedian: median(local.map((r) => r.ttftMs)) },
};
result.ratio = result.server.tokPerSecMedian / result.direct.tokPerSecMedian;
await mkdir(path.join(root, 'bench/results'), { recursive: true });
await writeFile(path.join(root, 'bench/results/server-vs-direct.json'), JSON.stringify(result, null, 2) + '\n');
console.log(`| path | median tok/s | median TTFT ms |\n|---|---|---|`);
console.log(`| llmux HTTP stream | ${result.server.tokPerSecMedian.toFixed(0)} | ${result.server.ttftMsMedian.toFixed(1)} |`);
console.log(`| node-llama-cpp direct | ${result.direct.tokPerSecMedian.toFixed(0)} | ${result.direct.ttftMsMedian.toFixed(1)} |`);
console.log(`ratio llmux/direct: ${result.ratio.toFixed(3)} (${result.model}, threads ${threads}, ${tokens} tokens, ${rounds} rounds)`);
await context.dispose();
await model.dispose();
