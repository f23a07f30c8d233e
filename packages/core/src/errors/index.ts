export { ErrorCodes, type ErrorCode } from './error-codes.js';
export {
  LlmuxError,
  InvalidRequestError,
  UnsupportedFeatureError,
  ModelNotFoundError,
  ContextLengthExceededError,
  InsufficientMemoryError,
  ModelLoadError,
  BackendUnavailableError,
  OverloadedError,
  UnauthorizedError,
  AbortedError,
  GenerationError,
  TimeoutError,
  ConfigError,
  toLlmuxError,
  type LlmuxErrorOptions,
} from './llmux-error.js';
