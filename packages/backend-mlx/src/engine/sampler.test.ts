import { describe, expect, it } from 'vitest';
import { Sampler } from './sampler.js';

const logits = () => [1, 3, 2.5, -1, 0.5];
const draws = (sampler: Sampler, count: number) => Array.from({ length: count }, () => sampler.sample(logits()));

describe('Sampler', () => {
  it('is greedy at temperature 0', () => {
    expect(draws(new Sampler({ temperature: 0 }), 5)).toEqual([1, 1, 1, 1, 1]);
    expect(new Sampler({ temperature: 0 }).plainGreedy).toBe(true);
    expect(new Sampler({ temperature: 0, presencePenalty: 0.5 }).plainGreedy).toBe(false);
    expect(new Sampler({}).plainGreedy).toBe(false);
  });

  it('defaults to temperature 1 (OpenAI), and the same seed gives the same draws', () => {
    const first = draws(new Sampler({ seed: 42 }), 200);
    expect(draws(new Sampler({ seed: 42 }), 200)).toEqual(first);
    expect(new Set(first).size).toBeGreaterThan(2);
  });

  it('keeps only the top K, the nucleus, and tokens above min_p', () => {
    expect(new Set(draws(new Sampler({ seed: 1, topK: 2 }), 300))).toEqual(new Set([1, 2]));
    // exp(3), exp(2.5) hold ~0.75 of the mass: top_p 0.5 keeps token 1 only.
    expect(new Set(draws(new Sampler({ seed: 1, topP: 0.5 }), 100))).toEqual(new Set([1]));
    // min_p 0.5 keeps tokens with p >= 0.5 * p(top): 3 and 2.5 (exp(-0.5) = 0.61).
    expect(new Set(draws(new Sampler({ seed: 1, minP: 0.5 }), 300))).toEqual(new Set([1, 2]));
  });

  it('applies presence, frequency and repeat penalties to generated tokens, and logit bias', () => {
    const sampler = new Sampler({ temperature: 0, presencePenalty: 1 });
    sampler.accept(1);
    expect(sampler.sample(logits())).toBe(2);
    const frequency = new Sampler({ temperature: 0, frequencyPenalty: 0.3 });
    frequency.accept(1);
    expect(frequency.sample(logits())).toBe(1);
    frequency.accept(1);
    expect(frequency.sample(logits())).toBe(2);
    const repeat = new Sampler({ temperature: 0, repeatPenalty: 1.5 });
    repeat.accept(1);
    expect(repeat.sample(logits())).toBe(2);
    expect(new Sampler({ temperature: 0, logitBias: { 4: 100 } }).sample(logits())).toBe(4);
  });
});
