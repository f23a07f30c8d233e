import type { RequestHandler, Response } from 'express';
import type { LlmuxError } from '@llmux/core';
import { toHttpError } from './error-response.js';

/** Turns a domain error into a status and the body one API surface sends (OpenAI's by default). */
export type ErrorShaper = (error: LlmuxError, requestId: string) => { status: number; body: unknown };

/**
 * Marks the requests it sees as belonging to a surface with its own error body (Anthropic,
 * Ollama). Mounted before the body parser, so even malformed JSON gets the surface's shape.
 */
export function useErrorShape(shaper: ErrorShaper): RequestHandler {
  return (_req, res, next) => {
    res.locals.errorShaper = shaper;
    next();
  };
}

/** The shaper for this response: the surface's own, else OpenAI's. */
export function errorShaperFor(res: Response): ErrorShaper {
  return (res.locals.errorShaper as ErrorShaper | undefined) ?? toHttpError;
}
