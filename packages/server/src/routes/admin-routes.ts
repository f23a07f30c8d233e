import { Router as ExpressRouter } from 'express';
import type { Runtime } from '../runtime/runtime.js';
import { adminEventsRoutes } from './admin-events.js';
import { adminModelsRoutes } from './admin-models.js';
import { adminPullRoutes } from './admin-pull.js';
import { adminStatusRoutes } from './admin-status.js';

/** The admin API under `/admin` (status, memory, model inventory and lifecycle, pulls, events). */
export function adminRoutes(runtime: Runtime): ExpressRouter {
  const router = ExpressRouter();
  router.use(adminStatusRoutes(runtime), adminModelsRoutes(runtime), adminPullRoutes(runtime), adminEventsRoutes(runtime));
  return router;
}
