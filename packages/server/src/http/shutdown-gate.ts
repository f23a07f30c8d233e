import type { RequestHandler } from 'express';
import { BackendUnavailableError } from '@llmux/core';
import type { InflightRequests } from '../runtime/inflight.js';

/**
 * While the server drains for shutdown, requests that still arrive on open keep-alive connections
 * get 503 with `Connection: close`, so clients and proxies move to another instance.
 */
export function shutdownGate(inflight: InflightRequests): RequestHandler {
  return (_req, res, next) => {
    if (inflight.accepting) return next();
    res.setHeader('Connection', 'close');
    next(new BackendUnavailableError('The server is shutting down.', { retryAfterSeconds: 1 }));
  };
}
