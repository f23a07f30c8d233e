import { Router as ExpressRouter } from 'express';
import type { ModelLoadProgressEvent, ModelStateEvent } from '@llmux/core';
import type { Activity, RequestRecord } from '../http/activity.js';
import { SseWriter } from '../http/sse-writer.js';
import type { PullEvent } from '../runtime/model-pulls.js';
import type { Runtime } from '../runtime/runtime.js';
import { statsPayload, toAdminRequest } from './admin-activity.js';
import { stateEventName, toAdminProgress } from './admin-shapes.js';

/** Comment lines keep idle connections open through proxies. */
const KEEPALIVE_MS = 15_000;
/** How often a `stats` event goes out; the stream carries it, so a dashboard never polls. */
const STATS_MS = 2_000;

/**
 * `GET /admin/events`: server-sent events, one per lifecycle change (`loading`, `loaded`,
 * `unloading`, `unloaded`, `evicted`, `load_failed`), `load_progress` while a model loads, pull (`pull_progress`, `pull_done`,
 * `pull_failed`), `request` per finished generation request (model, route, reason, TTFT, tokens),
 * and `stats` every two seconds (load per model, memory, the recent-traffic series);
 * each `event: <name>` with a JSON `data:` line.
 */
export function adminEventsRoutes(runtime: Runtime, activity: Activity): ExpressRouter {
  const router = ExpressRouter();
  router.get('/admin/events', (req, res) => {
    const sse = new SseWriter(res);
    sse.open();
    const onState = (event: ModelStateEvent) => {
      sse.event(stateEventName(event), {
        model: event.model,
        state: event.state,
        time: Date.now(),
        ...(event.reason ? { reason: event.reason } : {}),
        ...(event.error ? { error: event.error, code: event.code ?? null } : {}),
        ...(event.durationMs !== undefined ? { duration_ms: event.durationMs } : {}),
      });
    };
    const onPull = (event: PullEvent) => {
      if (event.type === 'pull_progress') sse.event(event.type, { ref: event.ref, time: Date.now(), ...toAdminProgress(event.progress) });
      else if (event.type === 'pull_done') sse.event(event.type, { ref: event.ref, model: event.model, time: Date.now() });
      else sse.event(event.type, { ref: event.ref, error: event.error.message, time: Date.now() });
    };
    const onProgress = (event: ModelLoadProgressEvent) => sse.event('load_progress', { model: event.model, progress: event.fraction, time: Date.now() });
    const onRequest = (record: RequestRecord) => sse.event('request', toAdminRequest(record));
    const keepalive = setInterval(() => {
      if (sse.writable) res.write(': keepalive\n\n');
    }, KEEPALIVE_MS);
    const stats = setInterval(() => {
      if (sse.writable) sse.event('stats', statsPayload(runtime, activity));
    }, STATS_MS);
    runtime.manager.on('state', onState);
    runtime.manager.on('progress', onProgress);
    runtime.pulls.on('event', onPull);
    activity.on('request', onRequest);
    res.write(': connected\n\n');
    req.on('close', () => {
      clearInterval(keepalive);
      clearInterval(stats);
      runtime.manager.off('state', onState);
      runtime.manager.off('progress', onProgress);
      runtime.pulls.off('event', onPull);
      activity.off('request', onRequest);
    });
  });
  return router;
}
