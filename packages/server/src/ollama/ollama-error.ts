import type { LlmuxError } from '@llmux/core';
import { toHttpError } from '../http/error-response.js';

/** Ollama's error body: `{"error": "..."}`, with the same statuses (and 5xx masking) as the OpenAI surface. */
export function toOllamaError(error: LlmuxError, requestId: string): { status: number; body: { error: string } } {
  const { status, body } = toHttpError(error, requestId);
  return { status, body: { error: body.error.message } };
}
