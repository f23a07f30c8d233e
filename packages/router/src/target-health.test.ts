import { describe, expect, it } from 'vitest';
import { TargetHealth } from './target-health.js';

describe('TargetHealth', () => {
  it('cools a target down after consecutive failures and lets one request probe it afterwards', () => {
    let now = 1_000;
    const health = new TargetHealth({ failures: 2, cooldownMs: 500, now: () => now });
    health.recordFailure('a');
    expect(health.available('a')).toBe(true);
    health.recordFailure('a');
    expect(health.available('a')).toBe(false);
    now += 499;
    expect(health.available('a')).toBe(false);
    now += 1;
    expect(health.available('a')).toBe(true); // the probe
    health.recordFailure('a'); // probe failed: a new cooldown at once
    expect(health.available('a')).toBe(false);
    now += 500;
    health.recordSuccess('a', 120); // probe succeeded: closed
    health.recordFailure('a');
    expect(health.available('a')).toBe(true);
    expect(health.snapshot()[0]).toMatchObject({ model: 'a', successes: 1, failures: 4, consecutiveFailures: 1 });
  });

  it('keeps a weighted running mean of latencies', () => {
    const health = new TargetHealth({ failures: 3, cooldownMs: 1000, latencyWeight: 0.5 });
    expect(health.latencyMs('a')).toBeUndefined();
    health.recordSuccess('a', 100);
    health.recordSuccess('a', 300);
    expect(health.latencyMs('a')).toBe(200);
  });
});
