import { describe, expect, it } from 'vitest';
import { parseKeepAlive } from './keep-alive.js';

describe('parseKeepAlive', () => {
  it('reads numbers as seconds and Go durations', () => {
    expect(parseKeepAlive(0)).toBe(0);
    expect(parseKeepAlive(300)).toBe(300);
    expect(parseKeepAlive('-1')).toBe(-1);
    expect(parseKeepAlive('5m')).toBe(300);
    expect(parseKeepAlive('1h30m')).toBe(5400);
    expect(parseKeepAlive('1500ms')).toBe(1.5);
    expect(parseKeepAlive('-1m')).toBe(-60);
  });

  it('rejects text that is no duration, naming the field', () => {
    expect(() => parseKeepAlive('soon')).toThrow(/keep_alive/);
    expect(() => parseKeepAlive('5 minutes')).toThrow(/not a duration/);
  });
});
