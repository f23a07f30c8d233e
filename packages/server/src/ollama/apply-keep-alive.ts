import type { Runtime } from '../runtime/runtime.js';

/**
 * Ollama's `keep_alive` on llmux's lifecycle: 0 unloads the model once its requests are done,
 * a negative value keeps it loaded until something else unloads it, a positive one becomes its
 * idle TTL (until it next unloads).
 */
export function applyKeepAlive(runtime: Runtime, modelId: string, seconds: number): void {
  if (seconds === 0) {
    // After the response: the unload waits for this request's sequence to be released.
    setImmediate(() => {
      runtime.manager.unload(modelId).catch((error: unknown) => runtime.logger.error({ err: error, model: modelId }, 'keep_alive unload failed'));
    });
    return;
  }
  runtime.manager.setKeepAlive(modelId, seconds < 0 ? 0 : seconds);
}
