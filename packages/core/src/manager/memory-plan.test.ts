import { describe, expect, it } from 'vitest';
import { planAdmission } from './memory-plan.js';

const model = (id: string, bytes: number, lastUsedAt: number, evictable = true) => ({ id, bytes, lastUsedAt, evictable });

describe('planAdmission', () => {
  it('admits without evicting when the load fits', () => {
    expect(planAdmission(10, 100, 80, [model('a', 80, 1)])).toEqual({ fits: true, evict: [] });
  });

  it('evicts least recently used first, and no more than needed', () => {
    expect(planAdmission(40, 100, 90, [model('new', 30, 3), model('old', 30, 1), model('mid', 30, 2)])).toEqual({ fits: true, evict: ['old'] });
    const plan = planAdmission(50, 100, 90, [model('new', 30, 3), model('old', 30, 1), model('mid', 30, 2)]);
    expect(plan).toEqual({ fits: true, evict: ['old', 'mid'] });
  });

  it('skips models that are not evictable (pinned or busy)', () => {
    const plan = planAdmission(50, 100, 90, [model('pinned', 30, 0, false), model('old', 30, 1), model('mid', 30, 2)]);
    expect(plan).toEqual({ fits: true, evict: ['old', 'mid'] });
  });

  it('refuses, evicting nothing, when even evicting everything evictable cannot make room', () => {
    const plan = planAdmission(50, 100, 90, [model('pinned', 60, 0, false), model('old', 30, 1)]);
    expect(plan).toEqual({ fits: false, freeableBytes: 30, evictable: ['old'] });
  });

  it('counts memory held outside the candidates (loads in progress)', () => {
    // 70 of the 90 held belong to a load in progress: evicting 'a' leaves 70 + 31 > 100.
    expect(planAdmission(31, 100, 90, [model('a', 20, 1)])).toEqual({ fits: false, freeableBytes: 20, evictable: ['a'] });
    expect(planAdmission(30, 100, 90, [model('a', 20, 1)])).toEqual({ fits: true, evict: ['a'] });
  });
});
