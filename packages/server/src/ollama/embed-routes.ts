import { Router as ExpressRouter } from 'express';
import { UnsupportedFeatureError, type EmbedResult } from '@llmux/core';
import { validateBody } from '../http/validate-body.js';
import { dispatchTo } from '../runtime/dispatch-to.js';
import type { Runtime } from '../runtime/runtime.js';
import { applyKeepAlive } from './apply-keep-alive.js';
import { GenerationClock, type OllamaTimings } from './generation-clock.js';
import { parseKeepAlive } from './keep-alive.js';
import { routedName } from './model-name.js';
import { embedRequestSchema, legacyEmbeddingsRequestSchema } from './ollama-request-schemas.js';

/** Ollama's `/api/embed` and its older one-prompt form `/api/embeddings`. */
export function ollamaEmbedRoutes(runtime: Runtime): ExpressRouter {
  const router = ExpressRouter();
  router.post('/api/embed', async (req, res) => {
    const body = validateBody(embedRequestSchema, req.body);
    const input = typeof body.input === 'string' ? [body.input] : body.input;
    const { result, timings } = await embed(runtime, body.model, input, body.keep_alive ?? undefined);
    const embeddings = body.dimensions ? result.embeddings.map((vector) => unitLength(vector.slice(0, body.dimensions!))) : result.embeddings;
    res.json({
      model: body.model,
      embeddings,
      total_duration: timings.total_duration,
      load_duration: timings.load_duration,
      prompt_eval_count: result.promptTokens,
    });
  });
  router.post('/api/embeddings', async (req, res) => {
    const body = validateBody(legacyEmbeddingsRequestSchema, req.body);
    const { result } = await embed(runtime, body.model, [body.prompt], body.keep_alive ?? undefined);
    res.json({ embedding: result.embeddings[0] });
  });
  return router;
}

async function embed(
  runtime: Runtime,
  name: string,
  input: string[],
  keepAlive: number | string | undefined,
): Promise<{ result: EmbedResult; timings: OllamaTimings }> {
  const keepAliveSeconds = keepAlive !== undefined ? parseKeepAlive(keepAlive) : undefined;
  const clock = new GenerationClock();
  const { model: id, result } = await dispatchTo(runtime, routedName(runtime.manager, name), new AbortController().signal, async (model, target) => {
    clock.markAdmitted();
    if (!model.embed) throw new UnsupportedFeatureError(`The model '${target}' does not compute embeddings.`, { param: 'model' });
    return model.embed(input);
  });
  clock.markOutput();
  if (keepAliveSeconds !== undefined) applyKeepAlive(runtime, id, keepAliveSeconds);
  return { result, timings: clock.timings({ promptTokens: result.promptTokens, cachedPromptTokens: 0, completionTokens: 0 }) };
}

/** Ollama's embeddings have unit length; a truncated vector is scaled back to it. */
function unitLength(vector: number[]): number[] {
  const norm = Math.hypot(...vector);
  return norm > 0 ? vector.map((value) => value / norm) : vector;
}
