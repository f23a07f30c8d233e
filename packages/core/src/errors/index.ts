export { ErrorCodes, type ErrorCode } from './error-codes.js';
export {
  LlmuxError,
  InvalidRequestError,
  UnsupportedFeatureError,
  ModelNotFoundError,
  ContextLengthExceededError,
  InsufficientMemoryError,
  ModelLoadError,
  DownloadError,
  BackendUnavailableError,
  OverloadedError,
  UnauthorizedError,
  AbortedError,
  GenerationError,
  ConfigError,
  toLlmuxError,
  type LlmuxErrorOptions,
} from './llmux-error.js';
