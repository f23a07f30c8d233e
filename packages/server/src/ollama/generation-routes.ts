import { Router as ExpressRouter, type Response } from 'express';
import { ModelNotFoundError } from '@llmux/core';
import { validateBody } from '../http/validate-body.js';
import { dispatchTo } from '../runtime/dispatch-to.js';
import type { Runtime } from '../runtime/runtime.js';
import { applyKeepAlive } from './apply-keep-alive.js';
import { parseKeepAlive } from './keep-alive.js';
import { routedName } from './model-name.js';
import { chatRequestSchema, generateRequestSchema } from './ollama-request-schemas.js';
import { type OllamaLineShape } from './ollama-reply.js';
import { runOllamaGeneration } from './run-generation.js';
import { fromChatRequest, fromGenerateRequest } from './to-chat-request.js';

const chatShape: OllamaLineShape = {
  piece: (head, text) => ({ ...head, message: { role: 'assistant', content: text }, done: false }),
  toolCalls: (head, calls) => ({ ...head, message: { role: 'assistant', content: '', tool_calls: calls }, done: false }),
  final: (head, text, calls, doneReason, timings) => ({
    ...head,
    message: { role: 'assistant', content: text, ...(calls.length > 0 ? { tool_calls: calls } : {}) },
    done_reason: doneReason,
    done: true,
    ...timings,
  }),
};

const generateShape: OllamaLineShape = {
  piece: (head, text) => ({ ...head, response: text, done: false }),
  final: (head, text, _calls, doneReason, timings) => ({ ...head, response: text, done: true, done_reason: doneReason, ...timings }),
};

/** Ollama's generation endpoints: `/api/chat`, `/api/generate`. */
export function ollamaGenerationRoutes(runtime: Runtime): ExpressRouter {
  const router = ExpressRouter();
  router.post('/api/chat', async (req, res) => {
    const body = validateBody(chatRequestSchema, req.body);
    const keepAlive = body.keep_alive != null ? parseKeepAlive(body.keep_alive) : undefined;
    if (body.messages.length === 0) return loadOrUnload(runtime, res, body.model, keepAlive, { message: { role: 'assistant', content: '' } });
    await runOllamaGeneration(runtime, req, res, {
      requestedModel: body.model,
      routed: routedName(runtime.manager, body.model),
      job: { kind: 'chat', request: fromChatRequest(body) },
      stream: body.stream !== false,
      keepAliveSeconds: keepAlive,
      shape: chatShape,
    });
  });
  router.post('/api/generate', async (req, res) => {
    const body = validateBody(generateRequestSchema, req.body);
    const keepAlive = body.keep_alive != null ? parseKeepAlive(body.keep_alive) : undefined;
    if (body.prompt === '' && !body.system) return loadOrUnload(runtime, res, body.model, keepAlive, { response: '' });
    await runOllamaGeneration(runtime, req, res, {
      requestedModel: body.model,
      routed: routedName(runtime.manager, body.model),
      job: fromGenerateRequest(body),
      stream: body.stream !== false,
      keepAliveSeconds: keepAlive,
      shape: generateShape,
    });
  });
  return router;
}

/**
 * Ollama's way to load or unload a model without generating: an empty prompt (or no
 * messages) loads it; with `keep_alive: 0` it unloads it.
 */
async function loadOrUnload(runtime: Runtime, res: Response, name: string, keepAlive: number | undefined, body: object): Promise<void> {
  const head = { model: name, created_at: new Date().toISOString() };
  if (keepAlive === 0) {
    const id = runtime.manager.idFor(routedName(runtime.manager, name));
    if (!id) throw new ModelNotFoundError(name, runtime.manager.candidates().map((c) => c.id));
    await runtime.manager.unload(id);
    res.json({ ...head, ...body, done_reason: 'unload', done: true });
    return;
  }
  const { model: id } = await dispatchTo(runtime, routedName(runtime.manager, name), new AbortController().signal, async () => undefined);
  if (keepAlive !== undefined) applyKeepAlive(runtime, id, keepAlive);
  res.json({ ...head, ...body, done_reason: 'load', done: true });
}
