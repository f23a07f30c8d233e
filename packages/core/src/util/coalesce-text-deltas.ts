import type { StreamPart } from '../types/stream-part.js';

/**
 * Merges text deltas that arrive within `windowMs` of each other into one, so that a fast model
 * does not cost one network write (and one wake-up of the client) per token. The first text delta
 * passes at once (time to first token is unchanged); any other part first flushes the text
 * before it, so the order of parts is kept; text never waits longer than `windowMs`.
 * `windowMs <= 0` passes every part through as it comes.
 */
export async function* coalesceTextDeltas(source: AsyncIterable<StreamPart>, windowMs: number): AsyncGenerator<StreamPart> {
  if (windowMs <= 0) {
    yield* source;
    return;
  }
  const iterator = source[Symbol.asyncIterator]();
  let next = iterator.next();
  let pending = '';
  let deadline = 0;
  let sentText = false;
  try {
    for (;;) {
      const result = pending ? await raceDeadline(next, deadline) : await next;
      if (result === 'deadline') {
        yield { type: 'text-delta', text: pending };
        pending = '';
        continue;
      }
      if (result.done) {
        if (pending) yield { type: 'text-delta', text: pending };
        return;
      }
      next = iterator.next();
      const part = result.value;
      if (part.type === 'text-delta') {
        if (!sentText) {
          sentText = true;
          yield part;
        } else {
          if (!pending) deadline = performance.now() + windowMs;
          pending += part.text;
        }
        continue;
      }
      if (pending) {
        yield { type: 'text-delta', text: pending };
        pending = '';
      }
      yield part;
    }
  } finally {
    await iterator.return?.();
  }
}

function raceDeadline<T>(promise: Promise<T>, deadline: number): Promise<T | 'deadline'> {
  const wait = deadline - performance.now();
  if (wait <= 0) return Promise.resolve('deadline');
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'deadline'>((resolve) => {
    timer = setTimeout(() => resolve('deadline'), wait);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}
