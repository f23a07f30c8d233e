import { LlmuxError, type ChatRequest, type LoadedModel } from '@llmux/core';
import type { Runtime } from './runtime.js';

/**
 * Routes a model name and loads the first target that loads, for work that is not a chat
 * generation (token counts, embeddings, explicit loads). Retryable failures yield to the next target.
 */
export async function acquireRouted(
  runtime: Runtime,
  requestedModel: string,
  request?: Omit<ChatRequest, 'model'>,
): Promise<{ id: string; model: LoadedModel }> {
  const decision = runtime.router.route(
    { requestedModel, ...(request ? { request } : {}) },
    runtime.manager.candidates(),
    runtime.manager.routerState(),
  );
  let lastError: unknown;
  for (const [position, target] of decision.targets.entries()) {
    try {
      return { id: target, model: await runtime.manager.acquire(target) };
    } catch (error) {
      lastError = error;
      if (position === decision.targets.length - 1 || !(error instanceof LlmuxError) || !error.retryable) throw error;
    }
  }
  throw lastError;
}
