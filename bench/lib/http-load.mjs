// Streamed load on an OpenAI-compatible endpoint (loopback only): `concurrency` workers, each sending
// `requestsPerStream` requests one after another. Measures time to first token and completion tokens.
import http from 'node:http';

// A new connection per request: servers differ in how long they keep idle connections open.
const agent = new http.Agent({ keepAlive: false, maxSockets: 64 });

/**
 * One streamed request. `kind` 'chat' posts messages to /v1/chat/completions, 'completion' posts a
 * prompt to /v1/completions. Resolves { ms, ttftMs, tokens, cachedTokens }.
 */
export function streamOnce(baseUrl, { kind, model, prompt, maxTokens, timeoutMs = 120_000, messages }) {
  const url = new URL(kind === 'chat' ? '/v1/chat/completions' : '/v1/completions', baseUrl);
  if (url.hostname !== '127.0.0.1' && url.hostname !== 'localhost') throw new Error(`loopback only: ${url.hostname}`);
  const common = { model, max_tokens: maxTokens, temperature: 0, stream: true, stream_options: { include_usage: true } };
  const body = JSON.stringify(kind === 'chat' ? { ...common, messages: messages ?? [{ role: 'user', content: prompt }] } : { ...common, prompt });
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let ttftMs = null;
    let chunks = 0;
    let usage = null;
    let buffer = '';
    const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.setEncoding('utf8');
      if (res.statusCode !== 200) {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => reject(new Error(`HTTP ${res.statusCode} from ${url}: ${text.slice(0, 300)}`)));
        return;
      }
      res.on('data', (data) => {
        buffer += data;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const event = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (!event.startsWith('data: ') || event === 'data: [DONE]') continue;
          const json = JSON.parse(event.slice(6));
          if (json.error) return reject(new Error(JSON.stringify(json.error)));
          if (json.usage?.completion_tokens != null) usage = json.usage;
          const choice = json.choices?.[0];
          const text = choice?.text ?? choice?.delta?.content;
          if (text) {
            chunks++;
            ttftMs ??= performance.now() - t0;
          }
        }
      });
      res.on('end', () =>
        resolve({
          ms: performance.now() - t0,
          ttftMs: ttftMs ?? performance.now() - t0,
          tokens: usage?.completion_tokens ?? chunks,
          promptTokens: usage?.prompt_tokens ?? null,
          cachedTokens: usage?.prompt_tokens_details?.cached_tokens ?? null,
        }),
      );
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer from ${url} within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** Runs `concurrency` workers; `request(i)` performs request number i and resolves its measurement. */
export async function runLoad({ concurrency, requestsPerStream, request }) {
  const results = [];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let j = 0; j < requestsPerStream; j++) results.push(await request(worker * requestsPerStream + j));
    }),
  );
  return summarize(results, performance.now() - t0, concurrency);
}

/** Aggregate tok/s over the wall time, per-stream tok/s (median over requests), TTFT p50/p99. */
export function summarize(results, wallMs, concurrency) {
  const tokens = results.reduce((sum, r) => sum + r.tokens, 0);
  const ttfts = results.map((r) => r.ttftMs).sort((a, b) => a - b);
  const perStream = results.map((r) => (r.tokens / r.ms) * 1000).sort((a, b) => a - b);
  return {
    concurrency,
    requests: results.length,
    tokens,
    wallMs: round(wallMs),
    aggTokS: round((tokens / wallMs) * 1000),
    perStreamTokS: round(quantile(perStream, 0.5)),
    ttftP50Ms: round(quantile(ttfts, 0.5)),
    ttftP99Ms: round(quantile(ttfts, 0.99)),
  };
}

export function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function median(values) {
  return quantile([...values].sort((a, b) => a - b), 0.5);
}

function round(value) {
  return Math.round(value * 10) / 10;
}
