// The router's own cost: decision time per request for every built-in strategy over a pool of
// 50 targets, with live-looking state (queue depths, latencies, some targets cooling down).
//
//   node bench/router.mjs [--targets 50] [--decisions 20000]
import { builtinRouters } from '@llmux/router';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith('--') ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []),
);
const targetCount = Number(args.targets ?? 50);
const decisions = Number(args.decisions ?? 20000);

const candidates = Array.from({ length: targetCount }, (_, i) => ({ id: `model-${i}`, aliases: [`m${i}`] }));
const tasks = ['code', 'math', 'reasoning', 'chat', 'tool-use', 'structured-output', 'long-context'];
const targets = candidates.map((c, i) => ({ model: c.id, weight: 1 + (i % 4), task: i < tasks.length ? tasks[i] : undefined }));
const state = {
  loaded: new Set(candidates.filter((_, i) => i % 3 !== 0).map((c) => c.id)),
  queueDepth: (id) => id.length % 5,
  latencyMs: (id) => 100 + (id.charCodeAt(id.length - 1) % 7) * 40,
  available: (id) => !id.endsWith('7'),
};
const prompts = [
  'Write a TypeScript function that parses a CSV line',
  'Solve 3x + 7 = 22 and explain each step',
  'Tell me a short story about a lighthouse keeper',
  'Why is the sky blue? Explain step by step.',
];

const routers = builtinRouters({ fallbacks: { 'model-0': ['model-1', 'model-2'] } });
const rows = [];
for (const router of routers) {
  const pool = router.id === 'direct' ? undefined : { name: 'bench', targets, options: {} };
  const samples = new Float64Array(decisions);
  for (let i = 0; i < decisions + 1000; i++) {
    const request = { messages: [{ role: 'user', content: prompts[i % prompts.length] }], sampling: {} };
    const started = process.hrtime.bigint();
    router.route({ requestedModel: pool ? 'bench' : 'm0', request, pool }, candidates, state);
    const elapsed = Number(process.hrtime.bigint() - started) / 1000;
    if (i >= 1000) samples[i - 1000] = elapsed; // the first 1000 warm the JIT
  }
  samples.sort();
  const at = (q) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))];
  rows.push({ strategy: router.id, p50: at(0.5), p99: at(0.99), max: samples[samples.length - 1] });
}
console.log(`router decision time, ${targetCount} targets, ${decisions} decisions each (microseconds)\n`);
console.log('| strategy | p50 µs | p99 µs | max µs |\n|---|---|---|---|');
for (const r of rows) console.log(`| ${r.strategy} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.max.toFixed(0)} |`);
