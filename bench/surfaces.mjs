// Per-surface overhead: the same greedy request (stories260K, 32 tokens) through every API surface,
// interleaved round-robin so drift hits all alike; reports median latency and the ratio to
// /v1/chat/completions measured in the same run. Loopback only.
// Run: pnpm build && node bench/surfaces.mjs [rounds=40] [tokens=32] [--stream]
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig, silentLogger } from '../packages/core/dist/index.js';
import { bundledModelsConfig, startServer } from '../packages/server/dist/index.js';

const rounds = Number(process.argv[2] ?? 40);
const tokens = Number(process.argv[3] ?? 32);
const modelsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../models');
const server = await startServer(parseConfig({ server: { port: 0 }, models: bundledModelsConfig(modelsDir) }), silentLogger());
const prompt = 'Once upon a time';
const stream = process.argv.includes('--stream');

const surfaces = {
  'chat.completions': ['/v1/chat/completions', { model: 'stories', messages: [{ role: 'user', content: prompt }], temperature: 0, max_tokens: tokens, stream }],
  'anthropic.messages': ['/v1/messages', { model: 'stories', messages: [{ role: 'user', content: prompt }], temperature: 0, max_tokens: tokens, stream }],
  responses: ['/v1/responses', { model: 'stories', input: prompt, temperature: 0, max_output_tokens: tokens, stream }],
  'ollama.chat': ['/api/chat', { model: 'stories', messages: [{ role: 'user', content: prompt }], options: { temperature: 0, num_predict: tokens }, stream }],
  'ollama.generate': ['/api/generate', { model: 'stories', prompt, options: { temperature: 0, num_predict: tokens }, stream }],
};

async function once([url, body]) {
  const started = performance.now();
  const response = await fetch(`${server.url}${url}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return performance.now() - started;
}

const samples = Object.fromEntries(Object.keys(surfaces).map((name) => [name, []]));
for (const spec of Object.values(surfaces)) await once(spec); // load the model, warm every path
for (let round = 0; round < rounds; round++) {
  for (const [name, spec] of Object.entries(surfaces)) samples[name].push(await once(spec));
}
await server.stop();

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
const reference = median(samples['chat.completions']);
console.log(`stories260K, ${tokens} tokens greedy, ${stream ? 'streaming' : 'non-streaming'}, ${rounds} rounds, median latency:`);
for (const [name, values] of Object.entries(samples)) {
  const m = median(values);
  console.log(`${name.padEnd(20)} ${m.toFixed(2).padStart(8)} ms   x${(m / reference).toFixed(3)} of chat.completions`);
}
