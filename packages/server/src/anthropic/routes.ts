import { Router as ExpressRouter, type Request, type Response } from 'express';
import { UnsupportedFeatureError } from '@llmux/core';
import { validateBody } from '../http/validate-body.js';
import { SseWriter } from '../http/sse-writer.js';
import { trackRequest } from '../routes/track-request.js';
import { setRouteHeaders } from '../http/route-headers.js';
import { observeStreams } from '../http/usage-observer.js';
import { dispatchChat } from '../runtime/dispatch.js';
import { dispatchTo } from '../runtime/dispatch-to.js';
import { collectGeneration } from '../runtime/generation.js';
import type { Runtime } from '../runtime/runtime.js';
import { countTokensRequestSchema, messagesRequestSchema } from './messages-request-schema.js';
import { toChatRequest, toPromptRequest } from './to-chat-request.js';
import { newMessageId, toMessageResponse } from './message-shapes.js';
import { writeMessageStream } from './messages-stream.js';

/** Anthropic's Messages API: `POST /v1/messages` and `POST /v1/messages/count_tokens`. */
export function anthropicRoutes(runtime: Runtime): ExpressRouter {
  const router = ExpressRouter();
  router.post('/v1/messages', messagesHandler(runtime));
  router.post('/v1/messages/count_tokens', countTokensHandler(runtime));
  return router;
}

function messagesHandler(runtime: Runtime) {
  return async (req: Request, res: Response): Promise<void> => {
    const body = validateBody(messagesRequestSchema, req.body);
    const request = toChatRequest(body);
    const tracked = trackRequest(runtime, req, res);
    try {
      const dispatched = await dispatchChat(runtime, body.model, request, 1, tracked.signal);
      setRouteHeaders(res, dispatched);
      req.log?.info({ model: dispatched.model, stream: Boolean(body.stream) }, 'anthropic message');
      const id = newMessageId();
      const stream = observeStreams(res, dispatched.streams)[0]!;
      if (body.stream) {
        // message_start carries the prompt's size, as Anthropic's does; message_delta then splits it into fresh and cached.
        const promptTokens = await runtime.manager.peek(dispatched.model)?.countPromptTokens?.({ ...request, model: dispatched.model }).catch(() => undefined);
        const sse = new SseWriter(res);
        sse.open();
        const identity = { id, model: dispatched.model, requestId: String(res.locals.requestId), ...(promptTokens !== undefined ? { promptTokens } : {}) };
        const outcome = await writeMessageStream(sse, identity, stream, tracked.signal);
        if (outcome.failed) runtime.logger.error({ requestId: res.locals.requestId, err: outcome.error }, 'stream ended with an error');
      } else {
        res.json(toMessageResponse(id, dispatched.model, await collectGeneration(stream, tracked.signal)));
      }
    } catch (error) {
      throw tracked.failure(error);
    } finally {
      tracked.end();
    }
  };
}

function countTokensHandler(runtime: Runtime) {
  return async (req: Request, res: Response): Promise<void> => {
    const body = validateBody(countTokensRequestSchema, req.body);
    const request = toPromptRequest(body);
    const tracked = trackRequest(runtime, req, res);
    try {
      const counted = await dispatchTo(runtime, body.model, tracked.signal, async (model, target) => {
        if (!model.countPromptTokens) throw new UnsupportedFeatureError(`The model '${target}' cannot count prompt tokens.`, { param: 'model' });
        return model.countPromptTokens({ ...request, model: target });
      });
      setRouteHeaders(res, counted);
      res.json({ input_tokens: counted.result });
    } catch (error) {
      throw tracked.failure(error);
    } finally {
      tracked.end();
    }
  };
}
