import { Router as ExpressRouter } from 'express';
import { z } from 'zod';
import { toLlmuxError } from '@llmux/core';
import { toHttpError } from '../http/error-response.js';
import { SseWriter } from '../http/sse-writer.js';
import { validateBody } from '../http/validate-body.js';
import type { PullEvent } from '../runtime/model-pulls.js';
import type { Runtime } from '../runtime/runtime.js';
import { toAdminProgress } from './admin-shapes.js';
import { trackRequest } from './track-request.js';

const pullBody = z.object({
  model_id: z.string().min(1, 'give a hub reference: org/repo, org/repo:QUANT or org/repo/file.gguf'),
  stream: z.boolean().optional(),
});

/**
 * `POST /admin/models/pull`: downloads a model into the store. With `"stream": true` the answer is
 * SSE (`data: {"status":"downloading",...}` ... `data: {"status":"success",...}`, `data: [DONE]`);
 * otherwise one JSON body when the pull is done. A client that goes away withdraws from the pull.
 */
export function adminPullRoutes(runtime: Runtime): ExpressRouter {
  const router = ExpressRouter();
  router.post('/admin/models/pull', async (req, res) => {
    const { model_id: ref, stream } = validateBody(pullBody, req.body);
    const tracked = trackRequest(runtime, req, res);
    try {
      if (!stream) {
        const location = await runtime.pulls.pull(ref, tracked.signal);
        res.json({ status: 'success', model: location.id, format: location.format, path: location.path });
        return;
      }
      const sse = new SseWriter(res);
      const onEvent = (event: PullEvent) => {
        if (event.ref === ref && event.type === 'pull_progress') sse.data({ status: 'downloading', ...toAdminProgress(event.progress) });
      };
      runtime.pulls.on('event', onEvent);
      sse.open();
      try {
        const location = await runtime.pulls.pull(ref, tracked.signal);
        sse.data({ status: 'success', model: location.id, format: location.format, path: location.path });
      } catch (error) {
        const llmuxError = toLlmuxError(error);
        req.log?.error({ err: error, ref }, 'pull failed');
        sse.data(toHttpError(llmuxError, String(res.locals.requestId ?? '')).body);
      } finally {
        runtime.pulls.off('event', onEvent);
      }
      sse.done();
    } finally {
      tracked.end();
    }
  });
  return router;
}
