import { freemem } from 'node:os';
import { Router as ExpressRouter } from 'express';
import type { Runtime } from '../runtime/runtime.js';
import { VERSION } from '../version.js';
import { deviceBindings } from './device.js';
import { toAdminMemory, toAdminModel, toAdminProgress } from './admin-shapes.js';

/** `GET /admin/status` and `GET /admin/memory`. */
export function adminStatusRoutes(runtime: Runtime): ExpressRouter {
  const router = ExpressRouter();
  router.get('/admin/status', async (_req, res) => {
    const devices = await deviceBindings();
    const models = runtime.manager.snapshot();
    res.json({
      version: VERSION,
      started_at: Math.floor(runtime.startedAt.getTime() / 1000),
      uptime_seconds: Math.round((Date.now() - runtime.startedAt.getTime()) / 1000),
      requests_in_flight: runtime.inflight.size,
      requests_served: runtime.inflight.served,
      queue_depth: models.reduce((sum, m) => sum + m.queued, 0),
      models: models.map((m) => toAdminModel(m)),
      memory: toAdminMemory(runtime.manager.memory(), freemem()),
      devices,
      pulls: runtime.pulls.list().map((p) => ({ ref: p.ref, progress: p.progress ? toAdminProgress(p.progress) : null })),
    });
  });
  router.get('/admin/memory', (_req, res) => {
    res.json(toAdminMemory(runtime.manager.memory(), freemem()));
  });
  return router;
}
