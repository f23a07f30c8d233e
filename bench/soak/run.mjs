// pnpm bench:soak — memory: idle RSS of `llmux serve` with both bundled GGUF models loaded, then RSS after
// 100 and after N (default 2,000) short chat requests spread over both models, each after a 31 s pause (idle: past
// the server's one full garbage collection 30 s after its last request, `server.idleCollect`).
// Goals: idle RSS < 150 MB; RSS after N within 10% of RSS after 100.
// Options: --requests N (default 2000)  --concurrency N (default 4)  --tokens N (default 16)
import { parseArgs } from 'node:util';
import { streamOnce } from '../lib/http-load.mjs';
import { log, rssOf, startLlmux } from '../lib/processes.mjs';

const { values: args } = parseArgs({
  options: { requests: { type: 'string', default: '2000' }, concurrency: { type: 'string', default: '4' }, tokens: { type: 'string', default: '16' } },
});
const total = Number(args.requests);
const mib = (bytes) => (bytes / 2 ** 20).toFixed(1);
/** Past the server's idle collection (`server.idleCollect`, 30 s by default). */
const pauseMs = 31_000;
const prompts = ['Once upon a time', 'The jury said', 'Lily and Tom went to the park', 'A big red ball'];

// No --model: the server serves the bundled models (stories260K and brown-llama-1m).
const server = await startLlmux([]);
const rows = [];
try {
  // the two bundled GGUF models (the goal's); the MLX copy of brown adds its own runtime (~65 MB) and is left unloaded
  const models = (await (await fetch(`${server.base}/admin/models`)).json()).data.filter((m) => m.format === 'gguf').map((m) => m.id);
  for (const model of models) await streamOnce(server.base, { kind: 'chat', model, prompt: 'Hello', maxTokens: 4 });
  await new Promise((r) => setTimeout(r, pauseMs));
  const idle = rssOf(server.pid);
  rows.push(['idle, both models loaded', 0, idle]);
  log(`idle RSS with ${models.join(' and ')} loaded: ${mib(idle)} MiB`);
  // RSS at 100 requests, then every 500, and at the end; each taken after the pause, so that it shows what
  // stays rather than where V8's collection cycle happens to be (RSS swings by ~20 MB within a cycle under load)
  const checkpoints = new Map([100, ...Array.from({ length: Math.floor(total / 500) }, (_, i) => (i + 1) * 500), total].map((n) => [n, 0]));
  let sent = 0;
  for (const upTo of checkpoints.keys()) {
    const worker = async () => {
      while (sent < upTo) {
        const i = sent++;
        await streamOnce(server.base, { kind: 'chat', model: models[i % models.length], prompt: `${prompts[i % prompts.length]} ${i}`, maxTokens: Number(args.tokens) });
      }
    };
    await Promise.all(Array.from({ length: Number(args.concurrency) }, worker));
    await new Promise((r) => setTimeout(r, pauseMs));
    checkpoints.set(upTo, rssOf(server.pid));
    log(`after ${upTo} requests (+${pauseMs / 1000} s): ${mib(checkpoints.get(upTo))} MiB`);
  }
  for (const [n, rss] of checkpoints) rows.push([`after ${n} requests`, n, rss]);
} finally {
  await server.stop();
}
const after100 = rows.find((r) => r[1] === 100)[2];
const afterAll = rows.find((r) => r[1] === total)[2];
const lines = [
  `Memory of llmux serve (bundled models: stories260K + brown-llama-1m, ${args.concurrency} concurrent clients, ${args.tokens} tokens per request):`,
  '',
  '| when | RSS MiB |',
  '|---|---|',
  ...rows.map(([label, , rss]) => `| ${label} | ${mib(rss)} |`),
  '',
  `Idle RSS ${mib(rows[0][2])} MiB (goal < 143 MiB = 150 MB); after ${total} / after 100: ${(afterAll / after100).toFixed(3)}x (goal <= 1.10x).`,
];
process.stdout.write(lines.join('\n') + '\n');
