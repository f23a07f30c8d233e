import type { Request, Response } from 'express';
import { LlmuxError } from '@llmux/core';
import { deadlineOf } from '../http/timeouts.js';
import type { Runtime } from '../runtime/runtime.js';

/**
 * Ties a request to an AbortSignal that fires when the client goes away (or shutdown aborts it),
 * or the request's deadline passes, and registers it as in flight until `end()`.
 * `failure(error)` swaps an abort error for the server's reason (timeout, shutdown) when there is one.
 */
export function trackRequest(
  runtime: Runtime,
  _req: Request,
  res: Response,
): { signal: AbortSignal; end: () => void; failure: (error: unknown) => unknown } {
  const controller = new AbortController();
  const onClose = () => {
    if (!res.writableFinished) controller.abort();
  };
  res.on('close', onClose);
  const deadline = deadlineOf(res);
  const onDeadline = () => controller.abort(deadline?.reason);
  deadline?.addEventListener('abort', onDeadline, { once: true });
  const done = runtime.inflight.begin(controller);
  return {
    signal: controller.signal,
    end: () => {
      res.off('close', onClose);
      deadline?.removeEventListener('abort', onDeadline);
      done();
    },
    failure: (error) => serverReason(controller.signal) ?? error,
  };
}

/** The LlmuxError the server aborted with (timeout, shutdown); undefined for a client that left. */
export function serverReason(signal: AbortSignal): LlmuxError | undefined {
  return signal.aborted && signal.reason instanceof LlmuxError ? signal.reason : undefined;
}
