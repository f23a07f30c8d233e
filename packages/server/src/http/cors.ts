import cors from 'cors';
import type { RequestHandler } from 'express';
import type { LlmuxConfig } from '@llmux/core';

const LOCALHOST_ORIGIN = /^https?:\/\/(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/i;

/** Headers a browser client may read from responses. */
const EXPOSED_HEADERS = ['x-request-id', 'x-llmux-model', 'x-llmux-route', 'retry-after'];

/**
 * Cross-origin access for browser clients. `origins` empty: only pages served from localhost;
 * `*`: any origin; otherwise exactly the listed origins. Preflights are answered here (204).
 */
export function corsMiddleware(settings: LlmuxConfig['server']['cors']): RequestHandler {
  const allowAny = settings.origins.includes('*');
  const listed = new Set(settings.origins.map((origin) => origin.replace(/\/$/, '').toLowerCase()));
  const allowed = (origin: string) =>
    allowAny || (listed.size === 0 ? LOCALHOST_ORIGIN.test(origin) : listed.has(origin.toLowerCase()));
  return cors({
    origin: (origin, callback) => callback(null, origin === undefined ? false : allowed(origin)),
    methods: settings.methods,
    ...(settings.headers.length > 0 ? { allowedHeaders: settings.headers } : {}),
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: settings.maxAge,
  });
}
