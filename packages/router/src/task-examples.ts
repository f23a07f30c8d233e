import type { Task } from './task-classifier.js';

/**
 * Example requests per task for embedding-based task routing. A virtual model's
 * `options.examples` replaces them (`{ code: [...], math: [...] }`).
 */
export const DEFAULT_TASK_EXAMPLES: Readonly<Partial<Record<Task, readonly string[]>>> = {
  code: [
    'Write a function that removes duplicates from an array',
    'Fix the bug in this code',
    'How do I read a file line by line in Python?',
    'What does this stack trace mean?',
    'Refactor this class to use dependency injection',
    'Write a SQL query that counts orders per customer',
  ],
  math: [
    'What is 17 times 23?',
    'Solve for x: 2x + 3 = 11',
    'Compute the derivative of x squared times sine of x',
    'What is the probability of rolling two sixes with two dice?',
    'Prove that the square root of two is irrational',
  ],
  reasoning: [
    'Explain step by step why the sky is blue',
    'Compare the pros and cons of renting and buying a home',
    'Plan a three-day trip to Rome on a small budget',
    'If all bloops are razzies and some razzies are lazzies, are some bloops lazzies?',
  ],
  chat: [
    'Hello, how are you today?',
    'Tell me a short story about a dragon',
    'What is your favourite book?',
    'Write a friendly birthday message for my sister',
  ],
};

/** One example with its embedding. */
export interface EmbeddedExample {
  task: string;
  example: string;
  vector: readonly number[];
}

/** Cosine similarity of two vectors of the same length. */
export function cosineSimilarity(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    dot += x * y;
    normA += x * x;
    normB += y * y;
  }
  return normA === 0 || normB === 0 ? 0 : dot / Math.sqrt(normA * normB);
}

/** The example closest to `vector`, or undefined when there are none. */
export function nearestExample(vector: readonly number[], examples: readonly EmbeddedExample[]) {
  let best: { task: string; example: string; similarity: number } | undefined;
  for (const example of examples) {
    const similarity = cosineSimilarity(vector, example.vector);
    if (!best || similarity > best.similarity) best = { task: example.task, example: example.example, similarity };
  }
  return best;
}
