import type { Request, RequestHandler, Response } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ModelStateEvent } from '@llmux/core';
import type { Runtime } from '../runtime/runtime.js';
import { usageOf } from './usage-observer.js';

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
const LOAD_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
const TOKENS_PER_SECOND_BUCKETS = [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000];

/**
 * The server's Prometheus metrics, in a registry of its own (several servers may share a process):
 * HTTP traffic by route/model/status, latency and time to first token, tokens, queue depth,
 * loaded models, model loads and unloads, and the process's own metrics (memory, CPU, event loop).
 */
export class ServerMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'route' | 'model' | 'status'>;
  private readonly latency: Histogram<'route' | 'model'>;
  private readonly firstToken: Histogram<'model'>;
  private readonly tokens: Counter<'model' | 'kind'>;
  private readonly tokensPerSecond: Histogram<'model'>;
  private readonly loadDuration: Histogram<'model'>;
  private readonly loadFailures: Counter<'model'>;
  private readonly unloads: Counter<'model' | 'reason'>;

  constructor(runtime: Runtime) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({
      name: 'llmux_http_requests_total',
      help: 'HTTP requests answered, by route pattern, model and status.',
      labelNames: ['route', 'model', 'status'],
      registers,
    });
    this.latency = new Histogram({
      name: 'llmux_http_request_duration_seconds',
      help: 'Time from request arrival to the last byte of the response.',
      labelNames: ['route', 'model'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.firstToken = new Histogram({
      name: 'llmux_time_to_first_token_seconds',
      help: 'Time from request arrival to the first generated token.',
      labelNames: ['model'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.tokens = new Counter({
      name: 'llmux_tokens_total',
      help: 'Tokens processed: kind="prompt" (input) or "completion" (output).',
      labelNames: ['model', 'kind'],
      registers,
    });
    this.tokensPerSecond = new Histogram({
      name: 'llmux_generation_tokens_per_second',
      help: 'Completion tokens per second of one response, after its first token.',
      labelNames: ['model'],
      buckets: TOKENS_PER_SECOND_BUCKETS,
      registers,
    });
    this.loadDuration = new Histogram({
      name: 'llmux_model_load_duration_seconds',
      help: 'Time to load a model.',
      labelNames: ['model'],
      buckets: LOAD_BUCKETS,
      registers,
    });
    this.loadFailures = new Counter({
      name: 'llmux_model_load_failures_total',
      help: 'Model loads that failed.',
      labelNames: ['model'],
      registers,
    });
    this.unloads = new Counter({
      name: 'llmux_model_unloads_total',
      help: 'Models unloaded, by reason (evictions carry the reason the manager gives, e.g. ttl or memory).',
      labelNames: ['model', 'reason'],
      registers,
    });
    new Gauge({
      name: 'llmux_models_loaded',
      help: 'Models in memory now.',
      registers,
      collect() {
        this.set(runtime.manager.loaded().size);
      },
    });
    new Gauge({
      name: 'llmux_model_queue_depth',
      help: 'Requests waiting for a free sequence, per loaded model.',
      labelNames: ['model'],
      registers,
      collect() {
        this.reset();
        for (const [id, model] of runtime.manager.loaded()) this.set({ model: id }, model.stats().queued);
      },
    });
    new Gauge({
      name: 'llmux_model_active_sequences',
      help: 'Sequences generating now, per loaded model.',
      labelNames: ['model'],
      registers,
      collect() {
        this.reset();
        for (const [id, model] of runtime.manager.loaded()) this.set({ model: id }, model.stats().active);
      },
    });
    new Gauge({
      name: 'llmux_model_memory_bytes',
      help: 'Memory a loaded model holds, by device (cpu or gpu).',
      labelNames: ['model', 'device'],
      registers,
      collect() {
        this.reset();
        for (const [id, model] of runtime.manager.loaded()) {
          this.set({ model: id, device: 'cpu' }, model.memory.cpuBytes);
          this.set({ model: id, device: 'gpu' }, model.memory.gpuBytes);
        }
      },
    });
    new Gauge({
      name: 'llmux_inflight_requests',
      help: 'Generation requests being served now.',
      registers,
      collect() {
        this.set(runtime.inflight.size);
      },
    });
    runtime.manager.on('state', (event) => this.recordState(event));
  }

  /** Records each response when it ends (finished or cut off by the client). */
  middleware(): RequestHandler {
    return (req, res, next) => {
      const started = performance.now();
      res.once('close', () => this.recordResponse(req, res, (performance.now() - started) / 1000));
      next();
    };
  }

  /** `GET /metrics` */
  handler(): RequestHandler {
    return async (_req, res) => {
      res.setHeader('Content-Type', this.registry.contentType);
      res.send(await this.registry.metrics());
    };
  }

  private recordResponse(req: Request, res: Response, seconds: number): void {
    // Only matched route patterns become labels, so scanners cannot blow up the series count.
    const route = req.route ? `${req.baseUrl}${String((req.route as { path: unknown }).path)}` : 'unmatched';
    const header = res.getHeader('x-llmux-model');
    const model = typeof header === 'string' ? header : '';
    const status = res.writableFinished ? String(res.statusCode) : 'client_closed';
    this.requests.inc({ route, model, status });
    this.latency.observe({ route, model }, seconds);
    if (!model) return;
    const usage = usageOf(res);
    if (usage.firstTokenMs !== undefined) this.firstToken.observe({ model }, usage.firstTokenMs / 1000);
    if (usage.promptTokens > 0) this.tokens.inc({ model, kind: 'prompt' }, usage.promptTokens);
    if (usage.completionTokens > 0) this.tokens.inc({ model, kind: 'completion' }, usage.completionTokens);
    if (usage.completionTokens > 1 && usage.generationMs > 0) {
      this.tokensPerSecond.observe({ model }, usage.completionTokens / (usage.generationMs / 1000));
    }
  }

  private recordState(event: ModelStateEvent): void {
    if (event.state === 'loaded' && event.durationMs !== undefined) this.loadDuration.observe({ model: event.model }, event.durationMs / 1000);
    if (event.state === 'available' && event.error !== undefined) this.loadFailures.inc({ model: event.model });
    if (event.state === 'unloading') {
      const reason = (event as ModelStateEvent & { reason?: unknown }).reason;
      this.unloads.inc({ model: event.model, reason: typeof reason === 'string' ? reason : 'requested' });
    }
  }
}
