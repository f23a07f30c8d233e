import { describe, expect, it } from 'vitest';
import { InvalidRequestError, ModelNotFoundError, type ChatRequest, type RoutePool, type RouterState } from '@llmux/core';
import { CascadeRouter } from './cascade-router.js';
import { DirectRouter } from './direct-router.js';
import { FallbackRouter } from './fallback-router.js';
import { LeastLoadedRouter } from './least-loaded-router.js';
import { RoundRobinRouter } from './round-robin-router.js';
import { TaskRouter } from './task-router.js';
import { WeightedRouter } from './weighted-router.js';

const candidates = [
  { id: 'small', aliases: ['s'] },
  { id: 'medium', aliases: ['m'] },
  { id: 'large', aliases: ['l'] },
];
const idle: RouterState = { loaded: new Set(['small', 'medium', 'large']), queueDepth: () => 0 };
const pool = (targets: RoutePool['targets'], options: RoutePool['options'] = {}): RoutePool => ({ name: 'v', targets, options });
const chat = (content: string, extra: Partial<ChatRequest> = {}) => ({ messages: [{ role: 'user' as const, content }], sampling: {}, ...extra });

describe('direct', () => {
  it('adds configured fallbacks after the named model', () => {
    const router = new DirectRouter({ fallbacks: { small: ['l', 'medium'] } });
    expect(router.route({ requestedModel: 's' }, candidates, idle).targets).toEqual(['small', 'large', 'medium']);
  });
});

describe('round-robin', () => {
  it('takes targets in turn, the others following as fallbacks', () => {
    const router = new RoundRobinRouter();
    const p = pool([{ model: 'small' }, { model: 'medium' }, { model: 'large' }]);
    const firsts = Array.from({ length: 6 }, () => router.route({ requestedModel: 'v', pool: p }, candidates, idle).targets);
    expect(firsts.map((t) => t[0])).toEqual(['small', 'medium', 'large', 'small', 'medium', 'large']);
    expect(firsts[1]).toEqual(['medium', 'large', 'small']);
  });

  it('refuses a plain model name', () => {
    expect(() => new RoundRobinRouter().route({ requestedModel: 'small' }, candidates, idle)).toThrow(InvalidRequestError);
  });

  it('puts a target that cools down last', () => {
    const router = new RoundRobinRouter();
    const state = { ...idle, available: (id: string) => id !== 'small' };
    expect(router.route({ requestedModel: 'v', pool: pool([{ model: 'small' }, { model: 'medium' }]) }, candidates, state).targets).toEqual([
      'medium',
      'small',
    ]);
  });
});

describe('weighted', () => {
  it('shares requests by weight, evenly spread (smooth weighted round-robin)', () => {
    const router = new WeightedRouter();
    const p = pool([{ model: 'small', weight: 3 }, { model: 'large', weight: 1 }]);
    const picks = Array.from({ length: 8 }, () => router.route({ requestedModel: 'v', pool: p }, candidates, idle).targets[0]);
    expect(picks.filter((p) => p === 'small')).toHaveLength(6);
    expect(picks.slice(0, 4)).toEqual(['small', 'small', 'large', 'small']);
  });
});

describe('least-loaded', () => {
  it('prefers the target with the lowest expected wait', () => {
    const router = new LeastLoadedRouter();
    const p = pool([{ model: 'small' }, { model: 'medium' }]);
    const busySmall: RouterState = { ...idle, queueDepth: (id) => (id === 'small' ? 3 : 1) };
    expect(router.route({ requestedModel: 'v', pool: p }, candidates, busySmall).targets).toEqual(['medium', 'small']);
    const slowMedium: RouterState = { ...idle, queueDepth: () => 1, latencyMs: (id) => (id === 'medium' ? 900 : 100) };
    expect(router.route({ requestedModel: 'v', pool: p }, candidates, slowMedium).targets[0]).toBe('small');
  });

  it('prefers a loaded model over one that must load first at equal load', () => {
    const router = new LeastLoadedRouter();
    const state: RouterState = { loaded: new Set(['medium']), queueDepth: () => 0 };
    expect(router.route({ requestedModel: 'v', pool: pool([{ model: 'small' }, { model: 'medium' }]) }, candidates, state).targets[0]).toBe('medium');
  });
});

describe('task', () => {
  const p = pool([
    { model: 'large', task: 'code' },
    { model: 'medium', task: 'math' },
    { model: 'small', task: 'default' },
  ]);
  const router = new TaskRouter();
  it.each([
    ['Write a Python function that reverses a linked list', 'large', 'code'],
    ['```js\nconst x = 1;\n```\nwhy does this fail?', 'large', 'code'],
    ['Solve the equation 3x + 5 = 20', 'medium', 'math'],
    ['Tell me a story about a dragon', 'small', 'chat'],
  ])('%s -> %s', (text, model, task) => {
    const decision = router.route({ requestedModel: 'v', pool: p, request: chat(text) }, candidates, idle);
    expect(decision.targets[0]).toBe(model);
    expect(decision.task).toBe(task);
    expect(decision.reason).toContain(`task '${task}'`);
  });

  it('reads request features before words: tools, response format, size', () => {
    const tools = chat('hi', { tools: [{ name: 'f' }] });
    expect(router.route({ requestedModel: 'v', pool: p, request: tools }, candidates, idle).task).toBe('tool-use');
    const json = chat('hi', { responseFormat: { type: 'json_object' } });
    expect(router.route({ requestedModel: 'v', pool: p, request: json }, candidates, idle).task).toBe('structured-output');
    const long = chat('word '.repeat(5000));
    expect(router.route({ requestedModel: 'v', pool: p, request: long }, candidates, idle).task).toBe('long-context');
  });
});

describe('fallback and cascade', () => {
  it('keeps the configured order and says which targets cool down', () => {
    const state = { ...idle, available: (id: string) => id !== 'small' };
    const decision = new FallbackRouter().route({ requestedModel: 'v', pool: pool([{ model: 's' }, { model: 'm' }, { model: 'l' }]) }, candidates, state);
    expect(decision.targets).toEqual(['medium', 'large', 'small']);
    expect(decision.reason).toContain('cooling down: small');
  });

  it('cascades small to large with the configured checks', () => {
    const decision = new CascadeRouter().route(
      { requestedModel: 'v', pool: pool([{ model: 's' }, { model: 'l' }], { escalateOn: ['length'] }) },
      candidates,
      idle,
    );
    expect(decision).toMatchObject({ targets: ['small', 'large'], mode: 'cascade', escalateOn: ['length'] });
    expect(() => CascadeRouter.checksFrom({ escalateOn: ['vibes'] })).toThrow(/Unknown cascade check 'vibes'/);
  });

  it('names unknown targets', () => {
    expect(() => new FallbackRouter().route({ requestedModel: 'v', pool: pool([{ model: 'nope' }]) }, candidates, idle)).toThrow(ModelNotFoundError);
  });
});

describe('task routing with an embedding hint', () => {
  const router = new TaskRouter();
  const p = pool([{ model: 'large', task: 'code' }, { model: 'small', task: 'default' }], { minSimilarity: 0.8 });
  it('lets a close example decide over the keyword rules, but not over request features', () => {
    const hints = { nearestExample: { task: 'code', example: 'zebra', similarity: 0.9 } };
    expect(router.route({ requestedModel: 'v', pool: p, request: chat('zebra'), hints }, candidates, idle)).toMatchObject({
      targets: ['large', 'small'],
      task: 'code',
    });
    const weak = { nearestExample: { ...hints.nearestExample, similarity: 0.7 } };
    expect(router.route({ requestedModel: 'v', pool: p, request: chat('zebra'), hints: weak }, candidates, idle).task).toBe('chat');
    const tools = chat('zebra', { tools: [{ name: 'f' }] });
    expect(router.route({ requestedModel: 'v', pool: p, request: tools, hints }, candidates, idle).task).toBe('tool-use');
  });
});
