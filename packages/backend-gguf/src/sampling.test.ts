import { describe, expect, it } from 'vitest';
import { toEngineSampling } from './sampling.js';

describe('toEngineSampling', () => {
  it("uses OpenAI's defaults, not node-llama-cpp's (no top-k, no repeat penalty, temperature 1)", () => {
    expect(toEngineSampling({}, 512)).toEqual({ temperature: 1, topP: 1, topK: 0, minP: 0, repeatPenalty: false });
  });
  it('maps every OpenAI field', () => {
    expect(
      toEngineSampling({ temperature: 0.2, topP: 0.9, seed: 7, presencePenalty: 0.5, frequencyPenalty: -0.5 }, 256),
    ).toEqual({
      temperature: 0.2,
      topP: 0.9,
      topK: 0,
      minP: 0,
      seed: 7,
      repeatPenalty: { penalty: 1, presencePenalty: 0.5, frequencyPenalty: -0.5, lastTokens: 256, penalizeNewLine: true },
    });
  });
});
