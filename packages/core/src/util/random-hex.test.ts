import { describe, expect, it } from 'vitest';
import { randomHex } from './random-hex.js';

describe('randomHex', () => {
  it('gives the asked number of hex characters, different each time', () => {
    for (const length of [1, 24, 30, 32, 61]) expect(randomHex(length)).toMatch(new RegExp(`^[0-9a-f]{${length}}$`));
    const ids = new Set(Array.from({ length: 1000 }, () => randomHex(24)));
    expect(ids.size).toBe(1000);
  });

  it('leaves out the UUID version and variant digits: every position takes all 16 digits', () => {
    const seen = Array.from({ length: 32 }, () => new Set<string>());
    for (let i = 0; i < 2000; i++) [...randomHex(32)].forEach((digit, position) => seen[position]!.add(digit));
    expect(seen.map((digits) => digits.size)).toEqual(Array.from({ length: 32 }, () => 16));
  });
});
