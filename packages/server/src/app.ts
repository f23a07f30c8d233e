import express, { type Express } from 'express';
import { pinoHttp, stdSerializers } from 'pino-http';
import { ErrorCodes, LlmuxError } from '@llmux/core';
import { anthropicRoutes } from './anthropic/routes.js';
import { toAnthropicError } from './anthropic/anthropic-error.js';
import { responsesRoutes } from './responses/routes.js';
import { ollamaRoutes } from './ollama/routes.js';
import { toOllamaError } from './ollama/ollama-error.js';
import { errorHandler } from './http/error-handler.js';
import { useErrorShape } from './http/error-shape.js';
import { requestIdFor } from './http/request-id.js';
import { Activity } from './http/activity.js';
import { ApiKeys } from './http/api-keys.js';
import { authMiddleware } from './http/auth.js';
import { corsMiddleware } from './http/cors.js';
import { onlyUnder } from './http/only-under.js';
import { ServerMetrics } from './http/metrics.js';
import { rateLimitMiddleware } from './http/rate-limit.js';
import { requestCapsMiddleware } from './http/request-caps.js';
import { timeoutsMiddleware } from './http/timeouts.js';
import { adminRoutes } from './routes/admin-routes.js';
import { chatCompletionsHandler } from './routes/chat-completions.js';
import { completionsHandler } from './routes/completions.js';
import { embeddingsHandler } from './routes/embeddings.js';
import { deviceHandler } from './routes/device.js';
import { healthHandler } from './routes/health.js';
import { modelsRoutes } from './routes/models.js';
import { uiRoutes } from './routes/ui.js';
import type { Runtime } from './runtime/runtime.js';

/** The express app for a runtime, without listening: tests and embedders call `listen` themselves. */
export function buildApp(runtime: Runtime): Express {
  const app = express();
  const { server } = runtime.config;
  const metrics = new ServerMetrics(runtime);
  const activity = new Activity();
  app.disable('x-powered-by');
  app.set('etag', false);
  // First, so that every error on these paths (keys, limits, bad JSON) comes in the surface's own shape.
  app.use('/v1/messages', useErrorShape(toAnthropicError));
  app.use('/api', useErrorShape(toOllamaError));

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
      // The serializers get the request and response themselves: pino-http's wrappers would first copy every header,
      // query and address of each request into an object that is dropped (0.04 ms a request, measured).
      wrapSerializers: false,
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
        res: stdSerializers.res,
        err: stdSerializers.err,
      },
    }),
  );
  app.use(metrics.middleware(), activity.middleware(), corsMiddleware(server.cors));
  // Before auth: the dashboard's files are public, the admin API it calls is not.
  app.use(onlyUnder(['/', '/ui'], uiRoutes()));
  app.use(authMiddleware(ApiKeys.fromConfig(server)), timeoutsMiddleware(server));
  const rateLimit = rateLimitMiddleware(server.rateLimit);
  if (rateLimit) app.use(rateLimit);
  // Ollama's routes read every body as JSON whatever its Content-Type, as Ollama does (`curl -d` sends a form type).
  const jsonBody = (req: { headers: Record<string, unknown>; url?: string }) =>
    /^\/api\//.test(req.url ?? '') || String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase() === 'application/json';
  app.use(express.json({ limit: server.bodyLimit, type: jsonBody }), requestCapsMiddleware(server));

  app.get('/admin/health', healthHandler(runtime));
  if (server.metrics.enabled) app.get('/metrics', metrics.handler());
  app.use(onlyUnder(['/admin'], adminRoutes(runtime, activity)));
  app.get('/admin/device', deviceHandler());
  app.use(onlyUnder(['/v1/models'], modelsRoutes(runtime)));
  app.post('/v1/chat/completions', chatCompletionsHandler(runtime));
  app.post('/v1/completions', completionsHandler(runtime));
  app.post('/v1/embeddings', embeddingsHandler(runtime));
  app.use(onlyUnder(['/v1/messages'], anthropicRoutes(runtime)));
  app.use(onlyUnder(['/v1/responses'], responsesRoutes(runtime)));
  app.use(onlyUnder(['/', '/api'], ollamaRoutes(runtime)));

  app.use((req, _res, next) => {
    next(new LlmuxError(ErrorCodes.notFound, `Invalid URL (${req.method} ${req.path}).`));
  });
  app.use(errorHandler(runtime.logger));
  return app;
}
