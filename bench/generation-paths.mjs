// Throughput of the GGUF generation paths on the same model and prompt, in one run:
// LlamaChat (plain chat), the token-by-token loop (chat with logprobs, top 0 and top 5) and raw
// completions. Reported as tokens/s medians (prompt evaluation included) and as ratios against the
// LlamaChat path; a path whose model stops early generates fewer tokens, so compare like counts.
//   node bench/generation-paths.mjs [model.gguf] [tokens] [runs]
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GgufBackend } from '@llmux/backend-gguf';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const modelPath = path.resolve(process.argv[2] ?? path.join(root, 'models/stories260K.gguf'));
const tokens = Number(process.argv[3] ?? 200);
const runs = Number(process.argv[4] ?? 7);

const backend = new GgufBackend();
const model = await backend.load({ id: 'bench', format: 'gguf', path: modelPath }, { parallel: 1, maxQueue: 0, threads: 1, contextSize: 1024 });
const messages = [{ role: 'user', content: 'Once upon a time' }];
const base = { model: 'bench', messages, sampling: { temperature: 0 }, maxTokens: tokens };

const paths = {
  'chat (LlamaChat)': () => model.stream(base),
  'chat + logprobs (top 0)': () => model.stream({ ...base, logprobs: { top: 0 } }),
  'chat + logprobs (top 5)': () => model.stream({ ...base, logprobs: { top: 5 } }),
  'completion (token loop)': () => model.complete({ model: 'bench', prompt: 'Once upon a time', sampling: { temperature: 0 }, maxTokens: tokens }),
};

async function timeOne(start) {
  const begin = process.hrtime.bigint();
  let generated = 0;
  for await (const part of await start()) if (part.type === 'finish') generated = part.usage.completionTokens;
  const seconds = Number(process.hrtime.bigint() - begin) / 1e9;
  return { rate: generated / seconds, generated };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const results = {};
const counts = {};
for (const name of Object.keys(paths)) results[name] = [];
// Interleaved rounds, so drift of the machine hits every path alike; one warm-up round first.
for (let round = -1; round < runs; round++) {
  for (const [name, start] of Object.entries(paths)) {
    const { rate, generated } = await timeOne(start);
    if (round >= 0) results[name].push(rate);
    counts[name] = generated;
  }
}
const reference = median(results['chat (LlamaChat)']);
console.log(`${path.basename(modelPath)}, ${tokens} tokens, greedy, threads 1, ${runs} runs (medians)`);
for (const [name, rates] of Object.entries(results)) {
  const rate = median(rates);
  const ratio = (rate / reference).toFixed(2);
  console.log(`${name.padEnd(26)} ${rate.toFixed(0).padStart(6)} tokens/s   x${ratio}   (${counts[name]} tokens generated)`);
}
await model.unload();
