#!/usr/bin/env node
// Load test: a real `llmux serve` child process on loopback, hit by autocannon.
// 32 concurrent clients send 2,000 short chat completions to the bundled stories model.
// Reports latency (p50/p99), throughput, status codes, and the server's RSS before and after.
// A single-client run in the same process is the reference the 32-client numbers are compared with.
//
//   node bench/load.mjs [--connections 32] [--requests 2000] [--max-tokens 8] [--parallel 4]
//
// Exits 1 when any response is neither 200 nor a deliberate 429/503, or any request errored.
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '32' },
    requests: { type: 'string', default: '2000' },
    'max-tokens': { type: 'string', default: '8' },
    parallel: { type: 'string', default: '4' },
    'max-queue': { type: 'string', default: '64' },
  },
});
const connections = Number(values.connections);
const requests = Number(values.requests);

async function startServer() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'llmux-bench-'));
  const config = path.join(dir, 'llmux.config.json');
  await writeFile(
    config,
    JSON.stringify({
      log: { level: 'warn' },
      models: {
        stories260K: {
          source: path.join(root, 'models/stories260K.gguf'),
          aliases: ['stories'],
          parallel: Number(values.parallel),
          maxQueue: Number(values['max-queue']),
        },
      },
    }),
  );
  const child = spawn(process.execPath, [path.join(root, 'packages/server/dist/cli/main.cjs'), 'serve', '--port', '0', '--config', config, '--log-level', 'info'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout.on('data', (data) => {
      buffered += data.toString();
      const match = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(buffered);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`llmux exited with ${code}`)));
  });
  child.stdout.resume();
  return { child, url };
}

const body = JSON.stringify({
  model: 'stories',
  messages: [{ role: 'user', content: 'Once upon a time' }],
  max_tokens: Number(values['max-tokens']),
  temperature: 0.8,
});

function run(url, clients, amount) {
  return autocannon({
    url: `${url}/v1/chat/completions`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections: clients,
    amount,
    timeout: 30,
  });
}

async function rssBytes(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^process_resident_memory_bytes (\S+)$/m.exec(text)[1]);
}

const mib = (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

const { child, url } = await startServer();
try {
  await run(url, 1, 50); // load the model and warm the sequences
  const reference = await run(url, 1, 200);
  await run(url, connections, 500); // warm-up at full concurrency: allocations reach their steady state
  const rssBefore = await rssBytes(url);
  const loaded = await run(url, connections, requests);
  const rssAfter = await rssBytes(url);
  const second = await run(url, connections, requests);
  const rssAfterSecond = await rssBytes(url);

  const statuses = {};
  let unexpected = 0;
  for (const result of [loaded, second]) {
    for (const [code, stats] of Object.entries(result.statusCodeStats)) {
      statuses[code] = (statuses[code] ?? 0) + stats.count;
      if (!['200', '429', '503'].includes(code)) unexpected += stats.count;
    }
  }
  const errors = loaded.errors + loaded.timeouts + second.errors + second.timeouts;
  const line = (name, r) =>
    `${name.padEnd(26)} requests ${String(r.requests.total).padStart(5)}  p50 ${String(r.latency.p50).padStart(5)} ms  p99 ${String(r.latency.p99).padStart(5)} ms  ${r.requests.average.toFixed(0).padStart(5)} req/s`;
  console.log(`llmux load test: stories260K, max_tokens ${values['max-tokens']}, parallel ${values.parallel}, maxQueue ${values['max-queue']}`);
  console.log(line('1 client (reference)', reference));
  console.log(line(`${connections} clients, run 1`, loaded));
  console.log(line(`${connections} clients, run 2`, second));
  console.log(`p50 at ${connections} clients / p50 at 1 client: ${(loaded.latency.p50 / reference.latency.p50).toFixed(2)}`);
  console.log(`throughput at ${connections} clients / at 1 client: ${(loaded.requests.average / reference.requests.average).toFixed(2)}`);
  console.log(`status codes: ${JSON.stringify(statuses)}; socket errors + timeouts: ${errors}`);
  console.log(`server RSS: after warm-up ${mib(rssBefore)}, after run 1 ${mib(rssAfter)}, after run 2 ${mib(rssAfterSecond)} (run 2 / run 1: ${(rssAfterSecond / rssAfter).toFixed(3)}, run 2 / warm-up: ${(rssAfterSecond / rssBefore).toFixed(3)})`);
  if (unexpected > 0 || errors > 0) {
    console.error('FAIL: unexpected statuses or errors');
    process.exitCode = 1;
  }
} finally {
  child.kill('SIGTERM');
}
