import { Router as ExpressRouter, type Request, type Response } from 'express';
import { validateBody } from '../http/validate-body.js';
import { SseWriter } from '../http/sse-writer.js';
import { trackRequest } from '../routes/track-request.js';
import { setRouteHeaders } from '../http/route-headers.js';
import { observeStreams } from '../http/usage-observer.js';
import { dispatchChat } from '../runtime/dispatch.js';
import { collectGeneration } from '../runtime/generation.js';
import type { Runtime } from '../runtime/runtime.js';
import { responsesRequestSchema } from './responses-request-schema.js';
import { toChatRequest } from './to-chat-request.js';
import { finalStatus, newItemId, outputItems, responseObject } from './response-shapes.js';
import { writeResponseStream } from './responses-stream.js';

/** OpenAI's Responses API, stateless: `POST /v1/responses`. */
export function responsesRoutes(runtime: Runtime): ExpressRouter {
  const router = ExpressRouter();
  router.post('/v1/responses', responsesHandler(runtime));
  return router;
}

function responsesHandler(runtime: Runtime) {
  return async (req: Request, res: Response): Promise<void> => {
    const body = validateBody(responsesRequestSchema, req.body);
    const request = toChatRequest(body);
    const tracked = trackRequest(runtime, req, res);
    try {
      const dispatched = await dispatchChat(runtime, body.model, request, 1, tracked.signal);
      setRouteHeaders(res, dispatched);
      req.log?.info({ model: dispatched.model, stream: Boolean(body.stream) }, 'response');
      const identity = { id: newItemId('resp'), createdAt: Math.floor(Date.now() / 1000), model: dispatched.model };
      const stream = observeStreams(res, dispatched.streams)[0]!;
      if (body.stream) {
        const sse = new SseWriter(res);
        sse.open();
        const outcome = await writeResponseStream(sse, { ...identity, requestId: String(res.locals.requestId) }, body, stream, tracked.signal);
        if (outcome.failed) runtime.logger.error({ requestId: res.locals.requestId, err: outcome.error }, 'stream ended with an error');
      } else {
        const generation = await collectGeneration(stream, tracked.signal);
        res.json(responseObject(identity, body, { status: finalStatus(generation.finish), output: outputItems(generation), finish: generation.finish }));
      }
    } catch (error) {
      throw tracked.failure(error);
    } finally {
      tracked.end();
    }
  };
}
