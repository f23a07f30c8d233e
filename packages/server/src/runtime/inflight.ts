/** The requests being served, so shutdown can wait for them and then abort the rest. */
export class InflightRequests {
  private readonly active = new Set<AbortController>();
  private idleWaiters: Array<() => void> = [];

  /** Registers a request; call the returned function when it ends. */
  begin(controller: AbortController): () => void {
    this.active.add(controller);
    return () => {
      this.active.delete(controller);
      if (this.active.size === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
    };
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
