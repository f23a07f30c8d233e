import { describe, expect, it } from 'vitest';
import { ModelNotFoundError } from '@llmux/core';
import { DirectRouter } from './direct-router.js';

const candidates = [
  { id: 'stories260K', aliases: ['stories', 'default'] },
  { id: 'brown-llama-1m', aliases: ['brown'] },
];
const state = { loaded: new Set<string>(), queueDepth: () => 0 };

describe('DirectRouter', () => {
  const router = new DirectRouter();
  it('routes a model id to itself', () => {
    expect(router.route({ requestedModel: 'brown-llama-1m' }, candidates, state)).toMatchObject({
      targets: ['brown-llama-1m'],
      strategy: 'direct',
    });
  });
  it('routes an alias to its model and says so', () => {
    const decision = router.route({ requestedModel: 'default' }, candidates, state);
    expect(decision.targets).toEqual(['stories260K']);
    expect(decision.reason).toContain('alias');
  });
  it('matches names case-insensitively when nothing matches exactly', () => {
    expect(router.route({ requestedModel: 'Brown' }, candidates, state).targets).toEqual(['brown-llama-1m']);
  });
  it('throws model_not_found listing the models', () => {
    expect(() => router.route({ requestedModel: 'gpt-4' }, candidates, state)).toThrow(ModelNotFoundError);
    expect(() => router.route({ requestedModel: 'gpt-4' }, candidates, state)).toThrow(/stories260K, brown-llama-1m/);
  });
});
