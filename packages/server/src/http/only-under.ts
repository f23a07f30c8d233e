import type { RequestHandler } from 'express';

/**
 * Hands a request to `router` only when its path is one of `paths` or lies under one (`/` stands for itself alone);
 * any other request passes it by without entering it. Matching is case-insensitive and ignores a trailing slash, as
 * express's own routing does.
 *
 * Why: when the last layer of a router took the request in and passed it on (a router mounted without a path, as the
 * admin API's routers are), the router hands it to what follows with `setImmediate` (express's `router` package): a
 * turn of the event loop. The model's decodes run on the same thread between turns (2-4 ms each on a small model at
 * eight streams), so a chat request that passed the admin API on its way to its handler missed the batch it arrived
 * for.
 */
export function onlyUnder(paths: readonly string[], router: RequestHandler): RequestHandler {
  const prefixes = paths.map((path) => path.toLowerCase().replace(/\/+$/, ''));
  return (req, res, next) => {
    const path = req.path.toLowerCase();
    const under = prefixes.some((prefix) => (prefix === '' ? path === '/' : path === prefix || path.startsWith(prefix + '/')));
    if (under) return router(req, res, next);
    next();
  };
}
