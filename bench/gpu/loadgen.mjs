// Streamed load on an OpenAI-compatible /v1/chat/completions (loopback only): CONC workers, PER requests each.
// usage: node loadgen.mjs URL CONC PER MAX_TOKENS [MODEL=default]
// Prints one JSON line: aggregate completion tok/s (usage from the stream's last chunk), TTFT p50/p90 (first content chunk).
const [url, conc = '1', per = '3', maxTokens = '256', model = 'default'] = process.argv.slice(2);
const C = +conc, N = +per, M = +maxTokens;
if (!/^http:\/\/(127\.0\.0\.1|localhost)[:/]/.test(url)) throw new Error('loopback URLs only');
async function one(i) {
  const body = {
    model, max_tokens: M, temperature: 0, stream: true, ignore_eos: true, stream_options: { include_usage: true },
    messages: [{ role: 'user', content: 'Once upon a time ' + i }],
  };
  const t0 = performance.now();
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (r.status !== 200) throw new Error(`status ${r.status}: ${(await r.text()).slice(0, 200)}`);
  let ttft = null, chunks = 0, usage = null, buf = '';
  const dec = new TextDecoder();
  for await (const part of r.body) {
    buf += dec.decode(part, { stream: true });
    let k;
    while ((k = buf.indexOf('\n\n')) >= 0) {
      const ev = buf.slice(0, k); buf = buf.slice(k + 2);
      if (!ev.startsWith('data: ') || ev === 'data: [DONE]') continue;
      const j = JSON.parse(ev.slice(6));
      if (j.usage?.completion_tokens) usage = j.usage;
      if (j.choices?.[0]?.delta?.content) { chunks++; ttft ??= performance.now() - t0; }
    }
  }
  return { ms: performance.now() - t0, ttft, tokens: usage?.completion_tokens ?? chunks };
}
const t0 = performance.now();
const res = [];
await Promise.all(Array.from({ length: C }, async (_, w) => { for (let j = 0; j < N; j++) res.push(await one(w * 100 + j)); }));
const wall = (performance.now() - t0) / 1000;
const tokens = res.reduce((a, r) => a + r.tokens, 0);
const ttfts = res.map((r) => r.ttft ?? Infinity).sort((a, b) => a - b);
const q = (p) => +ttfts[Math.min(ttfts.length - 1, Math.floor(ttfts.length * p))].toFixed(1);
console.log(JSON.stringify({
  concurrency: C, requests: res.length, tokens, min_tokens: Math.min(...res.map((r) => r.tokens)), wall_s: +wall.toFixed(2),
  agg_tok_s: +(tokens / wall).toFixed(1), ttft_p50_ms: q(0.5), ttft_p90_ms: q(0.9),
}));
