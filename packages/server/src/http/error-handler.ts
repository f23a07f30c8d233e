import type { ErrorRequestHandler, Response } from 'express';
import { ErrorCodes, InvalidRequestError, LlmuxError, toLlmuxError, type Logger } from '@llmux/core';
import { errorShaperFor } from './error-shape.js';

/** Sends a domain error in the shape of the request's API surface (or ends the stream when bytes were sent). */
export function sendError(res: Response, error: unknown, logger: Logger): void {
  const llmuxError = toLlmuxError(error);
  const requestId = String(res.locals.requestId ?? 'unknown');
  const { status, body } = errorShaperFor(res)(llmuxError, requestId);
  logError(logger, llmuxError, status, requestId);
  if (res.headersSent) {
    if (!res.writableEnded) res.end();
    return;
  }
  if (llmuxError.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(Math.ceil(llmuxError.retryAfterSeconds)));
  res.status(status).json(body);
}

function logError(logger: Logger, error: LlmuxError, status: number, requestId: string): void {
  const fields = { requestId, code: error.code, status, err: status >= 500 ? error : undefined, cause: status >= 500 ? error.cause : undefined };
  if (status >= 500) logger.error(fields, error.message);
  else logger.info(fields, error.message);
}

/** Maps body-parser failures (bad JSON, too large, wrong charset) and everything else. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, _req, res, _next) => {
    sendError(res, fromBodyParser(error) ?? error, logger);
  };
}

function fromBodyParser(error: unknown): LlmuxError | undefined {
  if (typeof error !== 'object' || error === null || !('type' in error)) return undefined;
  const { type } = error as { type: string; limit?: number; message?: string };
  switch (type) {
    case 'entity.parse.failed':
      return new InvalidRequestError(
        "We could not parse the JSON body of your request. The body must be valid JSON (check quotes and trailing commas) sent with 'Content-Type: application/json'.",
        { cause: error },
      );
    case 'entity.too.large': {
      const limit = (error as { limit?: number }).limit;
      return new LlmuxError(ErrorCodes.payloadTooLarge, `The request body is larger than the limit of ${limit ?? '?'} bytes. Send a smaller body.`, {
        cause: error,
      });
    }
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return new InvalidRequestError(`Unsupported body encoding: ${String((error as { message?: unknown }).message)}. Send UTF-8 JSON.`, { cause: error });
    default:
      return undefined;
  }
}
