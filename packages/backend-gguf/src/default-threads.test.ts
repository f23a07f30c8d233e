import { describe, expect, it } from 'vitest';
import { defaultThreads } from './default-threads.js';

const MB = 1024 * 1024;

describe('defaultThreads', () => {
  it('with a thread pool (local build): 1 thread for tiny models, every core (at most 16) otherwise', () => {
    expect(defaultThreads(1.2 * MB, true, 2)).toBe(1);
    expect(defaultThreads(130 * MB, true, 2)).toBe(2);
    expect(defaultThreads(4000 * MB, true, 64)).toBe(16);
  });

  it('without one (prebuilt): never more than 1 thread below 512 MB, and one core left for Node above', () => {
    expect(defaultThreads(130 * MB, false, 2)).toBe(1);
    expect(defaultThreads(1000 * MB, false, 8)).toBe(7);
    expect(defaultThreads(1000 * MB, false, 1)).toBe(1);
    expect(defaultThreads(1000 * MB, false, 64)).toBe(16);
  });
});
