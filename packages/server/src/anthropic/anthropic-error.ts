import { ErrorCodes, type LlmuxError } from '@llmux/core';
import { toHttpError } from '../http/error-response.js';

/** Anthropic's error body. */
export interface AnthropicErrorBody {
  type: 'error';
  error: { type: string; message: string };
  request_id: string;
}

const TYPES: Partial<Record<string, { type: string; status?: number }>> = {
  [ErrorCodes.invalidRequest]: { type: 'invalid_request_error' },
  [ErrorCodes.unsupportedFeature]: { type: 'invalid_request_error' },
  [ErrorCodes.contextLengthExceeded]: { type: 'invalid_request_error' },
  [ErrorCodes.configInvalid]: { type: 'invalid_request_error' },
  [ErrorCodes.aborted]: { type: 'invalid_request_error' },
  [ErrorCodes.payloadTooLarge]: { type: 'request_too_large' },
  [ErrorCodes.unauthorized]: { type: 'authentication_error' },
  [ErrorCodes.notFound]: { type: 'not_found_error' },
  [ErrorCodes.modelNotFound]: { type: 'not_found_error' },
  [ErrorCodes.rateLimited]: { type: 'rate_limit_error' },
  // Anthropic answers 529 when it is overloaded; its clients know to back off and retry.
  [ErrorCodes.overloaded]: { type: 'overloaded_error', status: 529 },
};

/** Status and Anthropic body for a domain error; the message (masked for 5xx) is the same as OpenAI's. */
export function toAnthropicError(error: LlmuxError, requestId: string): { status: number; body: AnthropicErrorBody } {
  const { status, body } = toHttpError(error, requestId);
  const mapped = TYPES[error.code];
  return {
    status: mapped?.status ?? status,
    body: { type: 'error', error: { type: mapped?.type ?? 'api_error', message: body.error.message }, request_id: requestId },
  };
}
