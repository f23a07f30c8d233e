import { Router as ExpressRouter } from 'express';
import type { Activity } from '../http/activity.js';
import type { Runtime } from '../runtime/runtime.js';
import { adminActivityRoutes } from './admin-activity.js';
import { adminEventsRoutes } from './admin-events.js';
import { adminModelsRoutes } from './admin-models.js';
import { adminPullRoutes } from './admin-pull.js';
import { adminStatusRoutes } from './admin-status.js';

/** The admin API under `/admin` (status, memory, model inventory and lifecycle, pulls, activity, events). */
export function adminRoutes(runtime: Runtime, activity: Activity): ExpressRouter {
  const router = ExpressRouter();
  router.use(
    adminStatusRoutes(runtime),
    adminModelsRoutes(runtime),
    adminPullRoutes(runtime),
    adminActivityRoutes(runtime, activity),
    adminEventsRoutes(runtime, activity),
  );
  return router;
}
