import { ErrorCodes, type LlmuxError } from '@llmux/core';

/** OpenAI's error body. */
export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

interface HttpShape {
  status: number;
  type: string;
  /** Whether the message is replaced by a generic one (unexpected failures). */
  masked: boolean;
}

const SHAPES: Record<string, HttpShape> = {
  [ErrorCodes.invalidRequest]: { status: 400, type: 'invalid_request_error', masked: false },
  [ErrorCodes.payloadTooLarge]: { status: 413, type: 'invalid_request_error', masked: false },
  [ErrorCodes.unsupportedFeature]: { status: 400, type: 'invalid_request_error', masked: false },
  [ErrorCodes.contextLengthExceeded]: { status: 400, type: 'invalid_request_error', masked: false },
  [ErrorCodes.configInvalid]: { status: 400, type: 'invalid_request_error', masked: false },
  [ErrorCodes.unauthorized]: { status: 401, type: 'authentication_error', masked: false },
  [ErrorCodes.notFound]: { status: 404, type: 'invalid_request_error', masked: false },
  [ErrorCodes.modelNotFound]: { status: 404, type: 'invalid_request_error', masked: false },
  [ErrorCodes.rateLimited]: { status: 429, type: 'rate_limit_error', masked: false },
  [ErrorCodes.aborted]: { status: 499, type: 'invalid_request_error', masked: false },
  [ErrorCodes.modelLoadFailed]: { status: 500, type: 'server_error', masked: false },
  [ErrorCodes.generationFailed]: { status: 500, type: 'server_error', masked: true },
  [ErrorCodes.internal]: { status: 500, type: 'server_error', masked: true },
  [ErrorCodes.downloadFailed]: { status: 502, type: 'server_error', masked: false },
  [ErrorCodes.backendUnavailable]: { status: 503, type: 'server_error', masked: false },
  [ErrorCodes.overloaded]: { status: 503, type: 'server_error', masked: false },
  [ErrorCodes.timeout]: { status: 504, type: 'server_error', masked: false },
  [ErrorCodes.insufficientMemory]: { status: 507, type: 'server_error', masked: false },
};

/** HTTP status and OpenAI body for a domain error. 5xx bodies carry the request id to find the log. */
export function toHttpError(error: LlmuxError, requestId: string): { status: number; body: OpenAIErrorBody } {
  const shape = SHAPES[error.code] ?? SHAPES[ErrorCodes.internal]!;
  let message = shape.masked ? 'The server had an error while processing the request.' : error.message;
  if (shape.status >= 500) message = `${message} (log id: ${requestId})`;
  return {
    status: shape.status,
    body: { error: { message, type: shape.type, param: error.param ?? null, code: error.code } },
  };
}
