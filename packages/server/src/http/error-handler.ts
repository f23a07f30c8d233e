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
  if (typeof error !== 'object' || error === null) return undefined;
  if (!('type' in error)) return fromHttpError(error);
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
      return fromHttpError(error);
  }
}

/**
 * Other 4xx errors from express and body-parser (a corrupt gzip body, a path with a broken
 * %-escape) are the client's: a 400 that says what failed, never a 500.
 */
function fromHttpError(error: object): LlmuxError | undefined {
  const status = (error as { status?: unknown; statusCode?: unknown }).status ?? (error as { statusCode?: unknown }).statusCode;
  if (typeof status !== 'number' || status < 400 || status > 499) return undefined;
  const message = (error as { message?: unknown }).message;
  return new InvalidRequestError(`The request could not be read: ${typeof message === 'string' ? message : 'malformed request'}.`, { cause: error });
}
