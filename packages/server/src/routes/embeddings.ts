import type { Request, Response } from 'express';
import { UnsupportedFeatureError } from '@llmux/core';
import { validateBody } from '../http/validate-body.js';
import { embeddingInputs, embeddingRequestSchema } from '../openai/embedding-request-schema.js';
import { dispatchTo } from '../runtime/dispatch.js';
import type { Runtime } from '../runtime/runtime.js';
import { trackRequest } from './track-request.js';

/** `POST /v1/embeddings` */
export function embeddingsHandler(runtime: Runtime) {
  return async (req: Request, res: Response): Promise<void> => {
    const body = validateBody(embeddingRequestSchema, req.body);
    const inputs = embeddingInputs(body.input);
    const tracked = trackRequest(runtime, req, res);
    try {
      const { model, decision, result } = await dispatchTo(runtime, { requestedModel: body.model }, async (loaded, target) => {
        if (!loaded.embed || !loaded.capabilities.embeddings) {
          throw new UnsupportedFeatureError(`The model '${target}' cannot compute embeddings.`, { param: 'model' });
        }
        return loaded.embed(inputs, { signal: tracked.signal });
      });
      const size = result.embeddings[0]?.length ?? 0;
      if (body.dimensions != null && body.dimensions !== size) {
        throw new UnsupportedFeatureError(`The model '${model}' returns ${size} dimensions and cannot shorten them: omit 'dimensions' or send ${size}.`, {
          param: 'dimensions',
        });
      }
      res.setHeader('x-llmux-model', model);
      res.setHeader('x-llmux-route', decision.strategy);
      req.log?.info({ model, inputs: inputs.length, user: body.user ?? undefined }, 'embeddings');
      const base64 = body.encoding_format === 'base64';
      res.json({
        object: 'list',
        data: result.embeddings.map((vector, index) => ({ object: 'embedding', index, embedding: base64 ? toBase64(vector) : vector })),
        model,
        usage: { prompt_tokens: result.promptTokens, total_tokens: result.promptTokens },
      });
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
