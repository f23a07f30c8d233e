import { freemem } from 'node:os';
import { Router as ExpressRouter } from 'express';
import type { Activity, RequestRecord } from '../http/activity.js';
import type { Runtime } from '../runtime/runtime.js';
import { toAdminMemory } from './admin-shapes.js';

/** How many recent requests `GET /admin/activity` returns. */
const RECENT = 50;

/** A request record in the admin API's snake_case. */
export function toAdminRequest(record: RequestRecord) {
  return {
    time: record.time,
    model: record.model,
    route: record.route,
    reason: record.reason,
    status: record.status,
    duration_ms: record.durationMs,
    ttft_ms: record.ttftMs,
    prompt_tokens: record.promptTokens,
    completion_tokens: record.completionTokens,
    tokens_per_second: record.tokensPerSecond,
  };
}

/** The live numbers the `stats` event carries: load per model, memory, and the recent-traffic series. */
export function statsPayload(runtime: Runtime, activity: Activity) {
  const models = runtime.manager.snapshot();
  return {
    time: Date.now(),
    uptime_seconds: Math.round((Date.now() - runtime.startedAt.getTime()) / 1000),
    requests_served: runtime.inflight.served,
    requests_in_flight: runtime.inflight.size,
    queue_depth: models.reduce((sum, m) => sum + m.queued, 0),
    models: models.filter((m) => m.state !== 'available').map((m) => ({ id: m.id, state: m.state, active_requests: m.active, queued_requests: m.queued })),
    memory: toAdminMemory(runtime.manager.memory(), freemem()),
    series: activity.series().map((b) => ({
      start: b.start,
      requests: b.requests,
      errors: b.errors,
      completion_tokens: b.completionTokens,
      tokens_per_second: b.tokensPerSecond,
      ttft_ms: b.ttftMs,
    })),
  };
}

/** `GET /admin/activity`: the latest requests (newest first) and the stats, for a page's first paint. */
export function adminActivityRoutes(runtime: Runtime, activity: Activity): ExpressRouter {
  const router = ExpressRouter();
  router.get('/admin/activity', (_req, res) => {
    res.json({ recent: activity.recent(RECENT).map(toAdminRequest), stats: statsPayload(runtime, activity) });
  });
  return router;
}
