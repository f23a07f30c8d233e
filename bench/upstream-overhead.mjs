// What the openai-upstream plugin adds to a request: the same greedy chat completion sent straight to a
// llmux (the reference, measured in the same run) and through a second llmux that proxies to it with the
// plugin. Prints the median latency of each, streaming and not, and their ratio.
//
//   pnpm build && node bench/upstream-overhead.mjs [rounds=30]
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig, silentLogger } from '../packages/core/dist/index.js';
import { startServer } from '../packages/server/dist/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const rounds = Math.min(Number(process.argv[2] ?? 30), 500);

const upstream = await startServer(
  parseConfig({
    server: { host: '127.0.0.1', port: 0 },
    models: { stories: { source: path.join(ROOT, 'models/stories260K.gguf'), parallel: 1, threads: 1 } },
  }),
  silentLogger(),
);
const front = await startServer(
  parseConfig({
    server: { host: '127.0.0.1', port: 0 },
    plugins: ['openai-upstream'],
    models: { remote: { source: `${upstream.url}/v1`, backend: 'openai-upstream', parallel: 1, options: { model: 'stories' } } },
  }),
  silentLogger(),
  { cwd: ROOT },
);

async function once(url, model, stream) {
  const started = performance.now();
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 32, temperature: 0, stream }),
  });
  if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
  await response.text();
  return performance.now() - started;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

try {
  for (const stream of [true, false]) {
    // Warm both paths (model load, connections), then alternate so drift hits both alike.
    for (let warm = 0; warm < 5; warm++) {
      await once(upstream.url, 'stories', stream);
      await once(front.url, 'remote', stream);
    }
    const direct = [];
    const proxied = [];
    for (let round = 0; round < rounds; round++) {
      direct.push(await once(upstream.url, 'stories', stream));
      proxied.push(await once(front.url, 'remote', stream));
    }
    const d = median(direct);
    const p = median(proxied);
    console.log(
      `${stream ? 'stream' : 'json  '}  direct ${d.toFixed(2)} ms  via plugin ${p.toFixed(2)} ms  ratio ${(p / d).toFixed(2)}  (+${(p - d).toFixed(2)} ms, median of ${rounds})`,
    );
  }
} finally {
  await front.stop();
  await upstream.stop();
}
