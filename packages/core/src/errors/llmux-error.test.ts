import { describe, expect, it } from 'vitest';
import * as errors from './llmux-error.js';

describe('LlmuxError', () => {
  it('recognizes errors made by another copy of @llmux/core, class by class', () => {
    // What a plugin with its own copy of core (or a test runner that loads core twice) throws.
    const brand = Symbol.for('llmux.core.error');
    class LlmuxError extends Error {
      readonly [brand] = true;
      readonly code = 'context_length_exceeded';
    }
    class ContextLengthExceededError extends LlmuxError {}
    const foreign = new ContextLengthExceededError('too long');

    expect(foreign instanceof errors.LlmuxError).toBe(true);
    expect(foreign instanceof errors.ContextLengthExceededError).toBe(true);
    expect(foreign instanceof errors.OverloadedError).toBe(false);
    expect(errors.toLlmuxError(foreign)).toBe(foreign);
    expect(new Error('plain') instanceof errors.LlmuxError).toBe(false);
    expect(new errors.OverloadedError('busy') instanceof errors.ContextLengthExceededError).toBe(false);
    expect(new errors.OverloadedError('busy') instanceof errors.LlmuxError).toBe(true);
  });
});
