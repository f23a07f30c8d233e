// pnpm bench:kv-cache — what the KV-cache type (`kvCache: f16 | q8_0 | q4_0`) costs in memory and speed.
// For each type: RSS of `llmux serve` after loading the model (context allocated), and one c=1 request's
// tok/s. Model: the synthetic 125M model from bench:engines when present (its 64-wide heads can be
// quantized), else brown-llama-1m (32-wide heads). stories260K (8-wide heads) cannot use a quantized cache.
// Options: --model PATH  --parallel N (default 8)  --context-size N (default 2048)  --tokens N (default 64)
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { streamOnce } from '../lib/http-load.mjs';
import { log, root, rssOf, startLlmux } from '../lib/processes.mjs';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string' },
    parallel: { type: 'string', default: '8' },
    'context-size': { type: 'string', default: '2048' },
    tokens: { type: 'string', default: '64' },
  },
});
const synth = path.join(root, 'bench/.cache/synth-125m-q8_0.gguf');
const model = args.model ?? (existsSync(synth) ? synth : path.join(root, 'models/brown-llama-1m-Q8_0.gguf'));
const mib = (bytes) => (bytes / 2 ** 20).toFixed(1);
const rows = [];
for (const [kvCache, flash] of [['f16', false], ['f16', true], ['q8_0', true], ['q4_0', true]]) {
  const flags = ['--model', model, '--threads', '1', '--parallel', args.parallel, '--context-size', args['context-size'], '--kv-cache', kvCache];
  flags.push(flash ? '--flash-attention' : '--no-flash-attention');
  const server = await startLlmux(flags);
  try {
    const warm = await streamOnce(server.base, { kind: 'chat', model: 'default', prompt: 'Once upon a time', maxTokens: 4 });
    const rss = rssOf(server.pid);
    const run = await streamOnce(server.base, { kind: 'chat', model: 'default', prompt: 'Once upon a time there was', maxTokens: Number(args.tokens) });
    rows.push({ kvCache, flash, rss, tokS: (run.tokens / run.ms) * 1000, ok: warm.tokens > 0 });
    log(`${kvCache} flash ${flash}: RSS ${mib(rss)} MiB, ${((run.tokens / run.ms) * 1000).toFixed(0)} tok/s`);
  } finally {
    await server.stop();
  }
}
const base = rows[0].rss;
const lines = [
  `KV-cache type, ${path.basename(model)}, ${args.parallel} sequences x ${args['context-size']} tokens, threads 1 (one request per row; speed is indicative only):`,
  '',
  '| kvCache | flash attention | RSS after load MiB | vs f16 without flash attention | tok/s (c=1) |',
  '|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.kvCache} | ${r.flash ? 'on' : 'off'} | ${mib(r.rss)} | ${mib(r.rss - base)} MiB | ${r.tokS.toFixed(0)} |`),
];
process.stdout.write(lines.join('\n') + '\n');
