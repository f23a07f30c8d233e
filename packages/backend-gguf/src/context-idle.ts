import type { LlamaContext } from 'node-llama-cpp';

/**
 * Tells the context whether every generation on it has ended. With llmux's patch, an idle context's CPU thread pool
 * sleeps as soon as no decode runs, instead of spinning for a next step that is not coming (that spinning takes a core
 * from the JavaScript thread handling the next request); the next decode wakes it. Without the patch, nothing happens.
 */
export function setContextIdle(context: LlamaContext, idle: boolean): void {
  (context as unknown as { llmuxSetIdle?: (idle: boolean) => void }).llmuxSetIdle?.(idle);
}
