import { describe, expect, it } from 'vitest';
import { GenerationError, InvalidRequestError, ModelNotFoundError, OverloadedError, UnauthorizedError } from '@llmux/core';
import { toAnthropicError } from './anthropic-error.js';
import { toOllamaError } from '../ollama/ollama-error.js';

describe('error shapes of the Anthropic and Ollama surfaces', () => {
  it('maps codes to Anthropic statuses and error types', () => {
    const cases = [
      [new InvalidRequestError('bad'), 400, 'invalid_request_error'],
      [new UnauthorizedError(), 401, 'authentication_error'],
      [new ModelNotFoundError('x'), 404, 'not_found_error'],
      [new OverloadedError('busy'), 529, 'overloaded_error'],
      [new GenerationError('boom'), 500, 'api_error'],
    ] as const;
    for (const [error, status, type] of cases) {
      const shaped = toAnthropicError(error, 'req_1');
      expect(shaped.status).toBe(status);
      expect(shaped.body).toMatchObject({ type: 'error', error: { type }, request_id: 'req_1' });
    }
  });

  it('masks unexpected failures and names the log id, in both shapes', () => {
    const anthropic = toAnthropicError(new GenerationError('secret engine detail'), 'req_7');
    expect(anthropic.body.error.message).not.toContain('secret');
    expect(anthropic.body.error.message).toContain('req_7');
    const ollama = toOllamaError(new GenerationError('secret engine detail'), 'req_7');
    expect(ollama).toEqual({ status: 500, body: { error: expect.stringContaining('req_7') } });
    expect(ollama.body.error).not.toContain('secret');
    expect(toOllamaError(new ModelNotFoundError('x'), 'r')).toMatchObject({ status: 404, body: { error: expect.stringContaining("'x'") } });
  });
});
