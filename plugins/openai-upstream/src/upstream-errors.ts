import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import {
  AbortedError,
  BackendUnavailableError,
  ContextLengthExceededError,
  ErrorCodes,
  InvalidRequestError,
  LlmuxError,
  ModelNotFoundError,
  OverloadedError,
  UnsupportedFeatureError,
} from '@llmux/core';

/** Which upstream and model an error came from, for the messages. */
export interface UpstreamErrorContext {
  baseURL: string;
  model: string;
  contextLength: number;
}

/**
 * An upstream failure in llmux's terms. The upstream's own error code wins when llmux knows it
 * (another llmux, or OpenAI's `context_length_exceeded`); otherwise the HTTP status decides:
 * 400 invalid_request, 404 model_not_found, 429 rate_limit_exceeded, 503 overloaded, other 5xx and
 * connection failures backend_unavailable (retryable), 401/403 backend_unavailable (a config problem).
 */
export function fromUpstreamError(error: unknown, context: UpstreamErrorContext): LlmuxError {
  if (error instanceof LlmuxError) return error;
  if (error instanceof APIUserAbortError) return new AbortedError(undefined, { cause: error });
  if (error instanceof APIConnectionTimeoutError) {
    return new BackendUnavailableError(`The upstream ${context.baseURL} did not answer in time.`, { cause: error });
  }
  if (error instanceof APIConnectionError) {
    const cause = (error.cause as { cause?: { code?: string } } | undefined)?.cause?.code ?? (error.cause as Error | undefined)?.message ?? error.message;
    return new BackendUnavailableError(`Cannot reach the upstream ${context.baseURL} (${cause}).`, { cause: error });
  }
  if (!(error instanceof APIError)) {
    return new BackendUnavailableError(`The upstream ${context.baseURL} failed: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  const message = upstreamMessage(error);
  const param = typeof error.param === 'string' ? error.param : undefined;
  const retryAfterSeconds = retryAfter(error.headers);
  const options = { cause: error, ...(param ? { param } : {}), ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) };
  switch (error.code) {
    case ErrorCodes.contextLengthExceeded:
      return contextLengthError(message, context, error);
    case ErrorCodes.unsupportedFeature:
      return new UnsupportedFeatureError(message, options);
    case ErrorCodes.overloaded:
      return new OverloadedError(message, options);
    case ErrorCodes.rateLimited:
      return new LlmuxError(ErrorCodes.rateLimited, message, { retryable: true, ...options });
    case ErrorCodes.modelNotFound:
      return modelNotFound(message, context, error);
  }
  const status = error.status ?? 0;
  if (status === 404) return modelNotFound(message, context, error);
  if (status === 429) return new LlmuxError(ErrorCodes.rateLimited, `The upstream ${context.baseURL} is rate limiting: ${message}`, { retryable: true, ...options });
  if (status === 503) return new OverloadedError(`The upstream ${context.baseURL} is overloaded: ${message}`, options);
  if (status === 401 || status === 403) {
    return new BackendUnavailableError(`The upstream ${context.baseURL} refused llmux's credentials (${status}): check the model's apiKey or apiKeyEnv.`, {
      cause: error,
      retryable: false,
    });
  }
  if (status >= 400 && status < 500) return new InvalidRequestError(message, options);
  return new BackendUnavailableError(`The upstream ${context.baseURL} failed (${status}): ${message}`, { cause: error });
}

function upstreamMessage(error: APIError): string {
  const body = error.error as { message?: unknown } | undefined;
  return typeof body?.message === 'string' ? body.message : error.message;
}

function modelNotFound(message: string, context: UpstreamErrorContext, cause: unknown): ModelNotFoundError {
  const error = new ModelNotFoundError(context.model, [], { cause, details: { upstream: context.baseURL } });
  error.message = `The upstream ${context.baseURL} has no model '${context.model}': ${message}`;
  return error;
}

/** Keeps the numbers when the upstream's message has them (llmux's and OpenAI's do), else its text. */
function contextLengthError(message: string, context: UpstreamErrorContext, cause: unknown): ContextLengthExceededError {
  const contextLength = Number(/context length is (\d+)/.exec(message)?.[1] ?? Number.NaN);
  const promptTokens = [...message.matchAll(/(\d+)\s+tokens/g)].map((match) => Number(match[1])).find((count) => count !== contextLength);
  if (Number.isFinite(contextLength) && promptTokens !== undefined) return new ContextLengthExceededError(promptTokens, contextLength, { cause });
  const error = new ContextLengthExceededError(0, context.contextLength, { cause });
  error.message = message;
  return error;
}

function retryAfter(headers: Headers | undefined): number | undefined {
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}
