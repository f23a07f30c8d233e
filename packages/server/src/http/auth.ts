import type { IncomingHttpHeaders } from 'node:http';
import type { RequestHandler } from 'express';
import { UnauthorizedError } from '@llmux/core';
import type { ApiKeys } from './api-keys.js';

/** Paths answered without a key: liveness probes. */
const OPEN_PATHS = new Set(['/admin/health']);

/** `/admin/*` and `/metrics` take admin keys. */
export function isAdminPath(path: string): boolean {
  return path === '/metrics' || path === '/admin' || path.startsWith('/admin/');
}

/** The key a client presented: `Authorization: Bearer <key>` or `x-api-key: <key>`. */
export function presentedKey(headers: IncomingHttpHeaders): string | undefined {
  const authorization = headers.authorization;
  if (typeof authorization === 'string') {
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (bearer) return bearer[1];
  }
  const apiKey = headers['x-api-key'];
  return typeof apiKey === 'string' && apiKey !== '' ? apiKey : undefined;
}

/**
 * Checks keys. Admin paths need an admin key when admin keys exist (else an API key when those
 * exist); other paths need an API key or an admin key when API keys exist. No keys: open.
 * The matched key's id goes to `res.locals.keyId` for rate limits.
 */
export function authMiddleware(keys: ApiKeys): RequestHandler {
  return (req, res, next) => {
    if (keys.empty || OPEN_PATHS.has(req.path) || req.method === 'OPTIONS') return next();
    const admin = isAdminPath(req.path);
    const required = admin ? (keys.hasAdminKeys ? 'admin' : keys.hasApiKeys ? 'api' : undefined) : keys.hasApiKeys ? 'api' : undefined;
    const presented = presentedKey(req.headers);
    const match = presented === undefined ? undefined : keys.lookup(presented);
    if (match) res.locals.keyId = match.id;
    if (required === undefined) return next();
    if (!match) {
      return next(
        new UnauthorizedError(
          presented === undefined
            ? 'Missing API key. Send it as "Authorization: Bearer <key>" or "x-api-key: <key>".'
            : 'Incorrect API key provided.',
        ),
      );
    }
    if (required === 'admin' && match.scope !== 'admin') {
      return next(new UnauthorizedError('This path needs an admin key (server.adminApiKeys or LLMUX_ADMIN_API_KEY).'));
    }
    next();
  };
}
