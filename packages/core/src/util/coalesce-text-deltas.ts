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
  let sentText = false;
  // One timer per window, not per token: a fast model's tokens race the same deadline.
  const window = new WindowTimer(windowMs);
  try {
    for (;;) {
      const result = pending ? await Promise.race([next, window.expired!]) : await next;
      if (result === 'deadline') {
        window.clear();
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
          if (!pending) window.start();
          pending += part.text;
        }
        continue;
      }
      if (pending) {
        window.clear();
        yield { type: 'text-delta', text: pending };
        pending = '';
      }
      yield part;
    }
  } finally {
    window.clear();
    await iterator.return?.();
  }
}

/** A deadline `windowMs` after `start`, as a promise that resolves to `'deadline'`. */
class WindowTimer {
  expired: Promise<'deadline'> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly windowMs: number) {}

  start(): void {
    this.expired = new Promise((resolve) => {
      this.timer = setTimeout(() => resolve('deadline'), this.windowMs);
    });
  }

  clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.expired = undefined;
  }
}
