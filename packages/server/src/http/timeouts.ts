import type { RequestHandler, Response } from 'express';
import { TimeoutError, type LlmuxConfig } from '@llmux/core';

const DEADLINE = Symbol('llmux.deadline');

/** Fires with a `TimeoutError` when the request passes `requestTimeout` or its stream goes silent. */
export function deadlineOf(res: Response): AbortSignal | undefined {
  return (res.locals as Record<PropertyKey, unknown>)[DEADLINE] as AbortSignal | undefined;
}

/**
 * `server.requestTimeout` (arrival to last byte) and `server.streamIdleTimeout` (longest silence
 * between two writes once the response has started). Routes that generate link `deadlineOf(res)`
 * to their generation, so a timeout ends it with a `timeout` error (a final chunk in a stream).
 */
export function timeoutsMiddleware(server: LlmuxConfig['server']): RequestHandler {
  const requestMs = server.requestTimeout * 1000;
  const idleMs = server.streamIdleTimeout * 1000;
  return (_req, res, next) => {
    if (requestMs === 0 && idleMs === 0) return next();
    const controller = new AbortController();
    (res.locals as Record<PropertyKey, unknown>)[DEADLINE] = controller.signal;
    const fire = (message: string) => {
      if (!controller.signal.aborted) controller.abort(new TimeoutError(message));
    };
    const requestTimer =
      requestMs > 0 ? setTimeout(() => fire(`The request took longer than the server's limit of ${server.requestTimeout} s.`), requestMs) : undefined;
    let idleTimer: NodeJS.Timeout | undefined;
    const touch = () => {
      if (idleMs === 0 || res.writableEnded) return;
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => fire(`The stream produced nothing for ${server.streamIdleTimeout} s.`), idleMs);
    };
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    res.write = ((...args: unknown[]) => {
      touch();
      return write(...args);
    }) as typeof res.write;
    const flushHeaders = res.flushHeaders.bind(res);
    res.flushHeaders = () => {
      touch();
      flushHeaders();
    };
    res.once('close', () => {
      clearTimeout(requestTimer);
      clearTimeout(idleTimer);
    });
    next();
  };
}
