export interface TargetHealthOptions {
  /** Consecutive failures after which a target cools down. */
  failures: number;
  /** How long it rests before one request probes it again. */
  cooldownMs: number;
  /** Weight of the newest latency in the running mean (0..1). */
  latencyWeight?: number;
  now?: () => number;
}

interface Record {
  consecutiveFailures: number;
  coolingUntil: number;
  latencyMs: number | undefined;
  successes: number;
  failures: number;
}

export interface TargetHealthSnapshot {
  model: string;
  available: boolean;
  consecutiveFailures: number;
  coolingDownForMs: number;
  latencyMs: number | undefined;
  successes: number;
  failures: number;
}

/**
 * Per-target outcomes for routing: a running latency mean, and a circuit breaker. After
 * `failures` consecutive failures a target cools down; when the cooldown ends the next request
 * is its health check: success closes the breaker, another failure starts a new cooldown.
 */
export class TargetHealth {
  private readonly records = new Map<string, Record>();
  private readonly now: () => number;

  constructor(private readonly options: TargetHealthOptions) {
    this.now = options.now ?? Date.now;
  }

  recordSuccess(model: string, latencyMs: number): void {
    const record = this.record(model);
    record.consecutiveFailures = 0;
    record.coolingUntil = 0;
    record.successes += 1;
    const weight = this.options.latencyWeight ?? 0.3;
    record.latencyMs = record.latencyMs === undefined ? latencyMs : record.latencyMs * (1 - weight) + latencyMs * weight;
  }

  recordFailure(model: string): void {
    const record = this.record(model);
    record.consecutiveFailures += 1;
    record.failures += 1;
    if (record.consecutiveFailures >= this.options.failures) record.coolingUntil = this.now() + this.options.cooldownMs;
  }

  available(model: string): boolean {
    const record = this.records.get(model);
    return !record || record.coolingUntil <= this.now();
  }

  latencyMs(model: string): number | undefined {
    return this.records.get(model)?.latencyMs;
  }

  snapshot(): TargetHealthSnapshot[] {
    const now = this.now();
    return [...this.records].map(([model, r]) => ({
      model,
      available: r.coolingUntil <= now,
      consecutiveFailures: r.consecutiveFailures,
      coolingDownForMs: Math.max(0, r.coolingUntil - now),
      latencyMs: r.latencyMs,
      successes: r.successes,
      failures: r.failures,
    }));
  }

  private record(model: string): Record {
    let record = this.records.get(model);
    if (!record) {
      record = { consecutiveFailures: 0, coolingUntil: 0, latencyMs: undefined, successes: 0, failures: 0 };
      this.records.set(model, record);
    }
    return record;
  }
}
