import type { Request, Response } from 'express';
import type { Runtime } from '../runtime/runtime.js';

/** `GET /admin/health`: open for probes; says whether the server takes requests. */
export function healthHandler(runtime: Runtime) {
  return (_req: Request, res: Response): void => {
    res.json({
      status: 'ok',
      uptime_seconds: Math.round((Date.now() - runtime.startedAt.getTime()) / 1000),
      models_loaded: runtime.manager.loaded().size,
    });
  };
}
