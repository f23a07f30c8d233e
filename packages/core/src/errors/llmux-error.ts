import { ErrorCodes, type ErrorCode } from './error-codes.js';

export interface LlmuxErrorOptions {
  /** The underlying error, kept for logs; never sent to clients for 5xx errors. */
  cause?: unknown;
  /** Whether the same request may succeed if tried again (possibly elsewhere). */
  retryable?: boolean;
  /** The request field this error is about (OpenAI's `param`), e.g. `messages[0].content`. */
  param?: string;
  /** Seconds after which a retry makes sense (429/503). */
  retryAfterSeconds?: number;
  /** Structured facts for clients and logs (numbers behind the message). */
  details?: Record<string, unknown>;
}

/** Marks llmux errors so that they are recognized across copies of this package. */
const LLMUX_ERROR = Symbol.for('llmux.core.error');

/**
 * The root of llmux's domain errors. Backends, stores and routers throw these;
 * only the HTTP edge maps them to statuses and wire shapes.
 */
export class LlmuxError extends Error {
  /**
   * `instanceof` also accepts errors from another copy of @llmux/core (a plugin that brought its own,
   * a test runner that loads a package twice), matching the class by name along the prototype chain.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    if (typeof value !== 'object' || value === null || (value as Record<symbol, unknown>)[LLMUX_ERROR] !== true) return false;
    for (let proto: unknown = Object.getPrototypeOf(value); proto && proto !== Error.prototype; proto = Object.getPrototypeOf(proto)) {
      if ((proto as { constructor?: { name?: string } }).constructor?.name === this.name) return true;
    }
    return false;
  }

  readonly [LLMUX_ERROR] = true;
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly param: string | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: LlmuxErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.param = options.param;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.details = options.details;
  }

  static is(error: unknown): error is LlmuxError {
    return error instanceof LlmuxError;
  }
}

/** The request is malformed or asks for something impossible (HTTP 400). */
export class InvalidRequestError extends LlmuxError {
  constructor(message: string, options: LlmuxErrorOptions = {}) {
    super(ErrorCodes.invalidRequest, message, options);
  }
}

/** A request feature the chosen model or backend cannot honour (HTTP 400). */
export class UnsupportedFeatureError extends LlmuxError {
  constructor(message: string, options: LlmuxErrorOptions = {}) {
    super(ErrorCodes.unsupportedFeature, message, options);
  }
}

/** No configured model, alias or store entry matches (HTTP 404). */
export class ModelNotFoundError extends LlmuxError {
  constructor(modelId: string, available: readonly string[] = [], options: LlmuxErrorOptions = {}) {
    const hint = available.length > 0 ? ` Available models: ${available.join(', ')}.` : '';
    super(ErrorCodes.modelNotFound, `The model '${modelId}' does not exist.${hint}`, {
      param: 'model',
      ...options,
      details: { model: modelId, ...options.details },
    });
  }
}

/** The prompt (plus requested output) does not fit the model's context window (HTTP 400). */
export class ContextLengthExceededError extends LlmuxError {
  constructor(promptTokens: number, contextLength: number, options: LlmuxErrorOptions = {}) {
    super(
      ErrorCodes.contextLengthExceeded,
      `This model's maximum context length is ${contextLength} tokens, but the prompt has ${promptTokens} tokens. ` +
        'Shorten the messages or choose a model with a longer context.',
      { param: 'messages', ...options, details: { promptTokens, contextLength, ...options.details } },
    );
  }
}

/** A load would pass the memory cap even after evicting everything evictable (HTTP 507). */
export class InsufficientMemoryError extends LlmuxError {
  constructor(message: string, options: LlmuxErrorOptions = {}) {
    super(ErrorCodes.insufficientMemory, message, { retryable: true, ...options });
  }
}

/** A backend failed to load a model (HTTP 500, message masked). */
export class ModelLoadError extends LlmuxError {
  constructor(message: string, options: LlmuxErrorOptions = {}) {
    super(ErrorCodes.modelLoadFailed, message, { retryable: true, ...options });
  }
}

/** A model download from a hub failed or did not verify (HTTP 502). */
export class DownloadError extends LlmuxError {
  constructor(message: string, options: LlmuxErrorOptions = {}) {
    super(ErrorCodes.downloadFailed, message, { retryable: true, ...options });
  }
}

/** No backend can serve the model, or the backend is down (HTTP 503). */
export class BackendUnavailableError extends LlmuxError {
  constructor(message: string, options: LlmuxErrorOptions = {}) {
    super(ErrorCodes.backendUnavailable, message, { retryable: true, ...options });
  }
}

/** Every slot and queue place is taken (HTTP 503 with Retry-After). */
export class OverloadedError extends LlmuxError {
  constructor(message: string, options: LlmuxErrorOptions = {}) {
    super(ErrorCodes.overloaded, message, { retryable: true, retryAfterSeconds: 1, ...options });
  }
}

/** Missing or wrong credentials (HTTP 401). */
export class UnauthorizedError extends LlmuxError {
  constructor(message = 'Incorrect or missing API key. Send it as "Authorization: Bearer <key>" or "x-api-key".', options: LlmuxErrorOptions = {}) {
    super(ErrorCodes.unauthorized, message, options);
  }
}

/** The caller (or the client) aborted the operation. */
export class AbortedError extends LlmuxError {
  constructor(message = 'The operation was aborted.', options: LlmuxErrorOptions = {}) {
    super(ErrorCodes.aborted, message, options);
  }
}

/** A generation failed inside the backend (HTTP 500, message masked). */
export class GenerationError extends LlmuxError {
  constructor(message: string, options: LlmuxErrorOptions = {}) {
    super(ErrorCodes.generationFailed, message, options);
  }
}

/** A request ran past the server's request or stream-idle timeout (HTTP 504). */
export class TimeoutError extends LlmuxError {
  constructor(message: string, options: LlmuxErrorOptions = {}) {
    super(ErrorCodes.timeout, message, { retryable: true, ...options });
  }
}

/** The configuration does not validate; the message names the key path. */
export class ConfigError extends LlmuxError {
  constructor(message: string, options: LlmuxErrorOptions = {}) {
    super(ErrorCodes.configInvalid, message, options);
  }
}

/** Wraps anything that is not an LlmuxError, so the edge has one type to map. */
export function toLlmuxError(error: unknown): LlmuxError {
  if (error instanceof LlmuxError) return error;
  if (error instanceof Error && error.name === 'AbortError') return new AbortedError(undefined, { cause: error });
  const message = error instanceof Error ? error.message : String(error);
  return new LlmuxError(ErrorCodes.internal, message, { cause: error });
}
