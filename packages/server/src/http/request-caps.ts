import type { RequestHandler } from 'express';
import { InvalidRequestError, type LlmuxConfig } from '@llmux/core';

/**
 * The operator's caps on what one request may ask for: `server.maxMessages` and `server.maxTokens`.
 * Runs after body parsing, before the route's own validation.
 */
export function requestCapsMiddleware(server: LlmuxConfig['server']): RequestHandler {
  return (req, _res, next) => {
    const body: unknown = req.body;
    if (typeof body !== 'object' || body === null) return next();
    const { messages, max_tokens: maxTokens, max_completion_tokens: maxCompletionTokens, max_output_tokens: maxOutputTokens, options } = body as Record<string, unknown>;
    // Ollama asks for a length in `options.num_predict`, the Responses API in `max_output_tokens`.
    const numPredict = typeof options === 'object' && options !== null ? (options as Record<string, unknown>).num_predict : undefined;
    if (server.maxMessages > 0 && Array.isArray(messages) && messages.length > server.maxMessages) {
      return next(
        new InvalidRequestError(`Too many messages: ${messages.length}. This server accepts at most ${server.maxMessages} per request.`, {
          param: 'messages',
        }),
      );
    }
    if (server.maxTokens > 0) {
      for (const [param, value] of [
        ['max_tokens', maxTokens],
        ['max_completion_tokens', maxCompletionTokens],
        ['max_output_tokens', maxOutputTokens],
        ['options.num_predict', numPredict],
      ] as const) {
        if (typeof value === 'number' && value > server.maxTokens) {
          return next(
            new InvalidRequestError(`'${param}' is ${value}, above this server's limit of ${server.maxTokens}. Ask for ${server.maxTokens} or fewer.`, {
              param,
            }),
          );
        }
      }
    }
    next();
  };
}
