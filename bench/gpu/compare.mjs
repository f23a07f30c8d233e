// Reads bench-serve.sh's JSON lines (files or stdin) and prints a markdown table per model: each llmux run against
// llama-server measured in the same run (tok/s ratio >= 1 is better, TTFT ratio <= 1 is better).
// usage: node compare.mjs RESULTS.jsonl...
import fs from 'node:fs';
const files = process.argv.slice(2);
const text = files.length ? files.map((f) => fs.readFileSync(f, 'utf8')).join('\n') : fs.readFileSync(0, 'utf8');
const rows = text.split('\n').filter((l) => l.startsWith('{"engine"')).map((l) => JSON.parse(l)).filter((r) => r.concurrency);
for (const model of [...new Set(rows.map((r) => r.model))]) {
  // each row against the llama-server row of its concurrency measured last before it (several runs may be given)
  const ref = new Map();
  console.log(`\n**${model}** (256 tokens per request, greedy, streamed chat completions)\n`);
  console.log('| engine | streams | tok/s | vs llama-server | TTFT p50 ms | TTFT vs llama-server | tokens/request (min) |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows.filter((x) => x.model === model)) {
    if (r.engine === 'llama-server') ref.set(r.concurrency, r);
    const base = ref.get(r.concurrency);
    const ratio = (a, b) => (base && b ? (a / b).toFixed(2) + 'x' : '');
    console.log(`| ${r.engine} | ${r.concurrency} | ${Math.round(r.agg_tok_s)} | ${r.engine === 'llama-server' ? '1.00x' : ratio(r.agg_tok_s, base?.agg_tok_s)} | ` +
      `${r.ttft_p50_ms} | ${r.engine === 'llama-server' ? '1.00x' : ratio(r.ttft_p50_ms, base?.ttft_p50_ms)} | ${Math.round(r.tokens / r.requests)} (${r.min_tokens}) |`);
  }
}
