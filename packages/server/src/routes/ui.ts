import type { ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import express, { Router as ExpressRouter } from 'express';

/** The dashboard's files: plain ES modules and CSS shipped in the package, nothing built at run time. */
export const UI_DIR = fileURLToPath(new URL('../../ui/', import.meta.url));

/** The page may talk to its own server only: no CDN, font or beacon can load even by mistake. */
const CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const headers = (res: ServerResponse) => {
  res.setHeader('cache-control', 'no-cache');
  res.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
  res.setHeader('x-content-type-options', 'nosniff');
};

/**
 * The dashboard at `/ui/`, and at `/` for browsers (requests that accept text/html). Its files hold no data, so they are served without a key;
 * every call the page makes goes to the admin API with the key the user typed in.
 */
export function uiRoutes(): ExpressRouter {
  const router = ExpressRouter();
  const index = (_req: express.Request, res: express.Response) => {
    headers(res);
    res.sendFile('index.html', { root: UI_DIR });
  };
  // Routing is not strict: '/ui' also matches '/ui/'. The page links its files by absolute path.
  router.get('/ui', index);
  // `/` belongs to browsers; other clients (Ollama's probe answers "Ollama is running" there) pass on.
  router.get('/', (req, res, next) => ((req.headers.accept ?? '').includes('text/html') ? index(req, res) : next()));
  router.use('/ui', express.static(UI_DIR, { index: false, fallthrough: true, setHeaders: headers }));
  return router;
}
