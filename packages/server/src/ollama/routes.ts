import { Router as ExpressRouter } from 'express';
import type { Runtime } from '../runtime/runtime.js';
import { ollamaEmbedRoutes } from './embed-routes.js';
import { ollamaGenerationRoutes } from './generation-routes.js';
import { ollamaModelRoutes } from './model-routes.js';

/** Ollama's API under `/api`, plus `GET /` and `HEAD /`, which Ollama clients probe. */
export function ollamaRoutes(runtime: Runtime): ExpressRouter {
  const router = ExpressRouter();
  router.get('/', (_req, res) => {
    res.type('text/plain').send('Ollama is running');
  });
  router.use(ollamaGenerationRoutes(runtime));
  router.use(ollamaEmbedRoutes(runtime));
  router.use(ollamaModelRoutes(runtime));
  return router;
}
