import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express, { Router, type RequestHandler } from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { onlyUnder } from './only-under.js';

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/**
 * A real server: `mount` wraps a router of `GET /` and a router of `GET /admin/status` (or leaves it bare), then `POST /v1/chat`
 * answers whether the event loop turned between the request's first middleware and its handler, and which handler
 * answered. Anything else is a 404.
 */
async function serve(mount: (router: Router) => RequestHandler) {
  const app = express();
  app.use((_req, res, next) => {
    res.locals.turned = false;
    setImmediate(() => (res.locals.turned = true));
    next();
  });
  // made like the admin API's: routers of routers, each mounted without a path
  const inner = Router();
  inner.get('/admin/status', (_req, res) => void res.json({ by: 'router' }));
  const router = Router();
  router.get('/', (_req, res) => void res.json({ by: 'router root' }));
  router.use(inner);
  app.use(mount(router));
  app.post('/v1/chat', (_req, res) => void res.json({ by: 'chat', turned: res.locals.turned }));
  app.use((_req, res) => void res.status(404).json({ by: 'none' }));
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server!.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return async (method: string, path: string) => {
    const res = await fetch(base + path, { method });
    return { status: res.status, ...((await res.json()) as { by: string; turned?: boolean }) };
  };
}

describe('onlyUnder', () => {
  it('lets a request for another path pass the router within the same turn of the event loop', async () => {
    // The reason for it: express's router hands on a request that its last layer took in with setImmediate.
    const bare = await serve((router) => router);
    expect(await bare('POST', '/v1/chat')).toEqual({ status: 200, by: 'chat', turned: true });
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    const guarded = await serve((router) => onlyUnder(['/admin', '/'], router));
    expect(await guarded('POST', '/v1/chat')).toEqual({ status: 200, by: 'chat', turned: false });
  });

  it("enters the router for its paths as express's routing matches them", async () => {
    const request = await serve((router) => onlyUnder(['/admin', '/'], router));
    expect(await request('GET', '/admin/status')).toMatchObject({ status: 200, by: 'router' });
    expect(await request('GET', '/ADMIN/Status/')).toMatchObject({ status: 200, by: 'router' });
    expect(await request('GET', '/')).toMatchObject({ status: 200, by: 'router root' });
    // under the prefix but not a route of the router: the router passes it on
    expect(await request('GET', '/admin/nothing')).toMatchObject({ status: 404, by: 'none' });
  });

  it('passes by paths that only start like a prefix, and takes / for itself alone', async () => {
    const seen: string[] = [];
    const spy = (router: Router): RequestHandler => (req, res, next) => {
      seen.push(req.path);
      router(req, res, next);
    };
    const request = await serve((router) => onlyUnder(['/admin/', '/'], spy(router)));
    await request('GET', '/administrator');
    await request('GET', '/v1/models');
    await request('GET', '/admin');
    await request('GET', '/');
    expect(seen).toEqual(['/admin', '/']);
  });
});
