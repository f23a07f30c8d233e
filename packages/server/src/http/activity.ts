import { EventEmitter } from 'node:events';
import type { RequestHandler } from 'express';
import { usageOf } from './usage-observer.js';

/** One generation request as the dashboard sees it, recorded when its response ends. */
export interface RequestRecord {
  /** Unix milliseconds of the response's end. */
  time: number;
  /** The model that answered (`x-llmux-model`), else the model the client asked for. */
  model: string;
  /** The routing strategy (`x-llmux-route`); null when the request never reached routing. */
  route: string | null;
  /** Why the router chose the model (`x-llmux-route-reason`). */
  reason: string | null;
  /** HTTP status; 499 when the client went away first. */
  status: number;
  durationMs: number;
  /** Time to first generated token; null when nothing was generated. */
  ttftMs: number | null;
  promptTokens: number;
  completionTokens: number;
  /** Completion tokens per second after the first token; null under two tokens. */
  tokensPerSecond: number | null;
}

/** One bucket of the recent-traffic series. */
export interface ActivityBucket {
  /** Unix milliseconds of the bucket's start. */
  start: number;
  requests: number;
  errors: number;
  completionTokens: number;
  /** Completion tokens over the bucket's generation time; null without generations. */
  tokensPerSecond: number | null;
  /** Median time to first token in the bucket; null without generations. */
  ttftMs: number | null;
}

const WINDOW_MS = 10 * 60_000;
const BUCKET_MS = 30_000;
/** Bounds memory under heavy traffic: the series then covers fewer minutes. */
const MAX_RECORDS = 5_000;

const OLLAMA_GENERATION = new Set(['/api/chat', '/api/generate', '/api/embed', '/api/embeddings']);

const header = (value: unknown) => (typeof value === 'string' && value !== '' ? value : null);

/**
 * Recent generation requests (the last ten minutes, bounded), for the dashboard's live view.
 * Emits `request` per finished request; `series()` sums them into 30-second buckets.
 */
export class Activity extends EventEmitter<{ request: [RequestRecord] }> {
  private readonly records: RequestRecord[] = [];

  /** Records generation POSTs (`/v1/*`, Ollama's chat, generate and embed) when their responses end. */
  middleware(): RequestHandler {
    return (req, res, next) => {
      if (req.method !== 'POST' || !(req.path.startsWith('/v1/') || OLLAMA_GENERATION.has(req.path))) return next();
      const started = performance.now();
      res.once('close', () => {
        const usage = usageOf(res);
        const body = req.body as { model?: unknown } | undefined;
        const generationSeconds = usage.generationMs / 1000;
        this.add({
          time: Date.now(),
          model: header(res.getHeader('x-llmux-model')) ?? (typeof body?.model === 'string' ? body.model : ''),
          route: header(res.getHeader('x-llmux-route')),
          reason: header(res.getHeader('x-llmux-route-reason')),
          status: res.writableFinished ? res.statusCode : 499,
          durationMs: Math.round(performance.now() - started),
          ttftMs: usage.firstTokenMs === undefined ? null : Math.round(usage.firstTokenMs),
          promptTokens: usage.promptTokens,
          completionTokens: usage.completionTokens,
          tokensPerSecond: usage.completionTokens > 1 && generationSeconds > 0 ? Math.round((usage.completionTokens / generationSeconds) * 10) / 10 : null,
        });
      });
      next();
    };
  }

  add(record: RequestRecord): void {
    this.records.push(record);
    this.prune(record.time);
    this.emit('request', record);
  }

  /** The latest records, newest first. */
  recent(count: number): RequestRecord[] {
    return this.records.slice(-count).reverse();
  }

  /** The last ten minutes in 30-second buckets, oldest first; empty buckets included. */
  series(now = Date.now()): ActivityBucket[] {
    this.prune(now);
    const first = Math.floor((now - WINDOW_MS) / BUCKET_MS) * BUCKET_MS + BUCKET_MS;
    const buckets = Array.from({ length: WINDOW_MS / BUCKET_MS }, (_, i) => ({ start: first + i * BUCKET_MS, records: [] as RequestRecord[] }));
    for (const record of this.records) {
      const index = Math.floor((record.time - first) / BUCKET_MS);
      if (index >= 0 && index < buckets.length) buckets[index]!.records.push(record);
    }
    return buckets.map(({ start, records }) => {
      const generated = records.filter((r) => r.tokensPerSecond !== null);
      const seconds = generated.reduce((sum, r) => sum + r.completionTokens / r.tokensPerSecond!, 0);
      const tokens = generated.reduce((sum, r) => sum + r.completionTokens, 0);
      const ttfts = records.flatMap((r) => (r.ttftMs === null ? [] : [r.ttftMs])).sort((a, b) => a - b);
      return {
        start,
        requests: records.length,
        errors: records.filter((r) => r.status >= 500 || r.status === 429).length,
        completionTokens: records.reduce((sum, r) => sum + r.completionTokens, 0),
        tokensPerSecond: seconds > 0 ? Math.round((tokens / seconds) * 10) / 10 : null,
        ttftMs: ttfts.length > 0 ? ttfts[Math.floor(ttfts.length / 2)]! : null,
      };
    });
  }

  private prune(now: number): void {
    let drop = 0;
    while (drop < this.records.length && this.records[drop]!.time < now - WINDOW_MS) drop++;
    drop = Math.max(drop, this.records.length - MAX_RECORDS);
    if (drop > 0) this.records.splice(0, drop);
  }
}
