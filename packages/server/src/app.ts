import express, { type Express } from 'express';
import { pinoHttp } from 'pino-http';
import { ErrorCodes, LlmuxError } from '@llmux/core';
import { errorHandler } from './http/error-handler.js';
import { requestIdFor } from './http/request-id.js';
import { chatCompletionsHandler } from './routes/chat-completions.js';
import { deviceHandler } from './routes/device.js';
import { healthHandler } from './routes/health.js';
import { modelsRoutes } from './routes/models.js';
import type { Runtime } from './runtime/runtime.js';

/** The express app for a runtime, without listening: tests and embedders call `listen` themselves. */
export function buildApp(runtime: Runtime): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.use(
    pinoHttp({
      logger: runtime.logger,
      genReqId: (req, res) => {
        const id = requestIdFor(req);
        res.setHeader('x-request-id', id);
        (res as unknown as { locals: Record<string, unknown> }).locals.requestId = id;
        return id;
      },
      customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : 'info'),
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
      },
    }),
  );
  app.use(express.json({ limit: runtime.config.server.bodyLimit }));

  app.get('/admin/health', healthHandler(runtime));
  app.get('/admin/device', deviceHandler());
  app.use(modelsRoutes(runtime));
  app.post('/v1/chat/completions', chatCompletionsHandler(runtime));

  app.use((req, _res, next) => {
    next(new LlmuxError(ErrorCodes.notFound, `Invalid URL (${req.method} ${req.path}).`));
  });
  app.use(errorHandler(runtime.logger));
  return app;
}
