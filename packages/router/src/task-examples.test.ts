import { describe, expect, it } from 'vitest';
import { cosineSimilarity, nearestExample } from './task-examples.js';

describe('nearest example', () => {
  it('measures cosine similarity', () => {
    expect(cosineSimilarity([1, 0], [1, 0])).toBe(1);
    expect(cosineSimilarity([1, 0], [0, 1])).toBe(0);
    expect(cosineSimilarity([1, 1], [-1, -1])).toBeCloseTo(-1);
    expect(cosineSimilarity([0, 0], [1, 0])).toBe(0);
  });
  it('finds the closest example', () => {
    const examples = [
      { task: 'code', example: 'a', vector: [1, 0, 0] },
      { task: 'math', example: 'b', vector: [0, 1, 0] },
    ];
    expect(nearestExample([0.2, 0.9, 0], examples)).toMatchObject({ task: 'math', example: 'b' });
    expect(nearestExample([1, 0, 0], [])).toBeUndefined();
  });
});
