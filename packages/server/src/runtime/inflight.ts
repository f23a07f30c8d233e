/** What hears when the server turns busy (first request) and idle (last one ended). */
export interface BusyListener {
  busy(): void;
  idle(): void;
}

/** The requests being served, so shutdown can wait for them and then abort the rest. */
export class InflightRequests {
  private readonly active = new Set<AbortController>();
  private idleWaiters: Array<() => void> = [];
  private ended = 0;

  constructor(private readonly listener?: BusyListener) {}

  /** Registers a request; call the returned function when it ends. */
  begin(controller: AbortController): () => void {
    if (this.active.size === 0) this.listener?.busy();
    this.active.add(controller);
    return () => {
      if (!this.active.delete(controller)) return;
      this.ended += 1;
      if (this.active.size === 0) {
        for (const resolve of this.idleWaiters.splice(0)) resolve();
        this.listener?.idle();
      }
    };
  }

  /** Requests that have ended since start. */
  get served(): number {
    return this.ended;
  }

  get size(): number {
    return this.active.size;
  }

  /** Resolves true when every request has ended, false when the timeout passed first. */
  waitIdle(timeoutMs: number): Promise<boolean> {
    if (this.active.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  abortAll(reason: Error): void {
    for (const controller of this.active) controller.abort(reason);
  }
}
