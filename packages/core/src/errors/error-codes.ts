/**
 * Stable error codes. They are part of the public contract: clients match on them,
 * so a code is never renamed; new ones are added. `docs/errors.md` lists them all.
 */
export const ErrorCodes = {
  invalidRequest: 'invalid_request',
  payloadTooLarge: 'payload_too_large',
  modelNotFound: 'model_not_found',
  notFound: 'not_found',
  contextLengthExceeded: 'context_length_exceeded',
  unsupportedFeature: 'unsupported_feature',
  insufficientMemory: 'insufficient_memory',
  modelLoadFailed: 'model_load_failed',
  downloadFailed: 'download_failed',
  backendUnavailable: 'backend_unavailable',
  overloaded: 'overloaded',
  unauthorized: 'unauthorized',
  rateLimited: 'rate_limit_exceeded',
  aborted: 'aborted',
  generationFailed: 'generation_failed',
  timeout: 'timeout',
  configInvalid: 'config_invalid',
  pluginLoadFailed: 'plugin_load_failed',
  internal: 'internal_error',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];
