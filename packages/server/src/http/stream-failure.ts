import { AbortedError, BackendUnavailableError, toLlmuxError, type LlmuxError } from '@llmux/core';

/** The message for a generation stopped by the server (shutdown, unload), not by the client. */
export const STOPPED_BY_SERVER = 'The generation was stopped: the server is shutting down or the model was unloaded.';

/** An abort the client did not ask for (shutdown, unload) is the server's failure, not the client's. */
export function toServerError(error: unknown): LlmuxError {
  return error instanceof AbortedError ? new BackendUnavailableError(error.message) : toLlmuxError(error);
}
