import { AbortedError, OverloadedError } from '../errors/llmux-error.js';

export interface SlotLease<T> {
  readonly slot: T;
  /** Returns the slot to the pool; idempotent. */
  release(): void;
}

interface Waiter<T> {
  choose: ((free: readonly T[]) => T) | undefined;
  resolve: (lease: SlotLease<T>) => void;
  reject: (error: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

/**
 * A fixed set of slots (e.g. llama sequences) leased one request at a time,
 * with a bounded FIFO queue. A full queue rejects at once with `OverloadedError`.
 */
export class SlotPool<T> {
  private readonly free: T[];
  private readonly waiters: Waiter<T>[] = [];
  private closedWith: Error | undefined;

  constructor(
    private readonly slots: readonly T[],
    private readonly maxQueue: number,
    private readonly label = 'model',
  ) {
    this.free = [...slots];
  }

  /**
   * Leases a slot. `choose` picks among the free slots (e.g. the best cached prefix);
   * default: the first. Rejects with `OverloadedError` when the queue is full and
   * with `AbortedError` when the signal fires while waiting.
   */
  acquire(options: { signal?: AbortSignal; choose?: (free: readonly T[]) => T } = {}): Promise<SlotLease<T>> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    if (options.signal?.aborted) return Promise.reject(new AbortedError());
    if (this.free.length > 0 && this.waiters.length === 0) return Promise.resolve(this.take(options.choose));
    if (this.waiters.length >= this.maxQueue) {
      return Promise.reject(
        new OverloadedError(
          `The ${this.label} is busy: all ${this.slots.length} slots are generating and ${this.waiters.length} requests are queued. Retry shortly.`,
          { details: { slots: this.slots.length, queued: this.waiters.length } },
        ),
      );
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter<T> = {
        choose: options.choose,
        resolve,
        reject,
        signal: options.signal,
        onAbort: () => {
          const index = this.waiters.indexOf(waiter);
          if (index >= 0) this.waiters.splice(index, 1);
          reject(new AbortedError());
        },
      };
      options.signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  stats(): { active: number; queued: number; slots: number } {
    return { active: this.slots.length - this.free.length, queued: this.waiters.length, slots: this.slots.length };
  }

  /** Rejects every waiter and every future acquire with `error`. */
  close(error: Error): void {
    this.closedWith = error;
    for (const waiter of this.waiters.splice(0)) {
      waiter.signal?.removeEventListener('abort', waiter.onAbort);
      waiter.reject(error);
    }
  }

  private take(choose: ((free: readonly T[]) => T) | undefined): SlotLease<T> {
    const slot = choose ? choose(this.free) : this.free[0]!;
    this.free.splice(this.free.indexOf(slot), 1);
    let released = false;
    return {
      slot,
      release: () => {
        if (released) return;
        released = true;
        this.free.push(slot);
        this.dispatch();
      },
    };
  }

  private dispatch(): void {
    while (this.free.length > 0 && this.waiters.length > 0) {
      const waiter = this.waiters.shift()!;
      waiter.signal?.removeEventListener('abort', waiter.onAbort);
      waiter.resolve(this.take(waiter.choose));
    }
  }
}
