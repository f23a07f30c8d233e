import type { Request, Response } from 'express';
import { UnsupportedFeatureError } from '@llmux/core';
import { validateBody } from '../http/validate-body.js';
import { routeReason, setRouteHeaders } from '../http/route-headers.js';
import { embeddingInputs, embeddingRequestSchema } from '../openai/embedding-request-schema.js';
import { dispatchTo } from '../runtime/dispatch-to.js';
import type { Runtime } from '../runtime/runtime.js';
import { trackRequest } from './track-request.js';

/** `POST /v1/embeddings` */
export function embeddingsHandler(runtime: Runtime) {
  return async (req: Request, res: Response): Promise<void> => {
    const body = validateBody(embeddingRequestSchema, req.body);
    const inputs = embeddingInputs(body.input);
    const tracked = trackRequest(runtime, req, res);
    try {
      const dispatched = await dispatchTo(runtime, body.model, tracked.signal, async (loaded, target) => {
        if (!loaded.embed || !loaded.capabilities.embeddings) {
          throw new UnsupportedFeatureError(`The model '${target}' cannot compute embeddings.`, { param: 'model' });
        }
        return loaded.embed(inputs, { signal: tracked.signal });
      });
      const { model, result } = dispatched;
      const size = result.embeddings[0]?.length ?? 0;
      if (body.dimensions != null && body.dimensions !== size) {
        throw new UnsupportedFeatureError(`The model '${model}' returns ${size} dimensions and cannot shorten them: omit 'dimensions' or send ${size}.`, {
          param: 'dimensions',
        });
      }
      setRouteHeaders(res, dispatched);
      req.log?.info({ model, route: dispatched.decision.strategy, reason: routeReason(dispatched), inputs: inputs.length, user: body.user ?? undefined }, 'embeddings');
      const base64 = body.encoding_format === 'base64';
      res.json({
        object: 'list',
        data: result.embeddings.map((vector, index) => ({ object: 'embedding', index, embedding: base64 ? toBase64(vector) : vector })),
        model,
        usage: { prompt_tokens: result.promptTokens, total_tokens: result.promptTokens },
      });
    } catch (error) {
      throw tracked.failure(error);
    } finally {
      tracked.end();
    }
  };
}

/** OpenAI's base64 encoding: the vector's little-endian float32 bytes. */
function toBase64(vector: readonly number[]): string {
  const floats = Float32Array.from(vector);
  const bytes = Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength);
  // Float32Array uses the platform's byte order; every platform Node runs on is little-endian.
  return bytes.toString('base64');
}
