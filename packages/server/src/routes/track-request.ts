import type { Request, Response } from 'express';
import type { Runtime } from '../runtime/runtime.js';

/**
 * Ties a request to an AbortSignal that fires when the client goes away (or shutdown aborts it),
 * and registers it as in flight until `end()`.
 */
export function trackRequest(runtime: Runtime, _req: Request, res: Response): { signal: AbortSignal; end: () => void } {
  const controller = new AbortController();
  const onClose = () => {
    if (!res.writableFinished) controller.abort();
  };
  res.on('close', onClose);
  const done = runtime.inflight.begin(controller);
  return {
    signal: controller.signal,
    end: () => {
      res.off('close', onClose);
      done();
    },
  };
}
