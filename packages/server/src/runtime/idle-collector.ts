import v8 from 'node:v8';
import vm from 'node:vm';
import type { Backend, Logger } from '@llmux/core';

type Collect = () => void;

/**
 * V8's full garbage collection as a function: `globalThis.gc` when Node runs with `--expose-gc`, else
 * turned on at run time (the flag, then `gc` read from a fresh context). Undefined where neither works.
 */
export function fullCollection(): Collect | undefined {
  const exposed = (globalThis as { gc?: Collect }).gc;
  if (typeof exposed === 'function') return exposed;
  try {
    v8.setFlagsFromString('--expose-gc');
    const collect = vm.runInNewContext('gc') as unknown;
    return typeof collect === 'function' ? (collect as Collect) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What an idle server runs: V8's full collection, then each backend gives back the native memory it holds free
 * (`Backend.releaseIdleMemory`). A backend that fails is logged and the others still run.
 */
export function idleRelease(backends: () => readonly Backend[], logger: Logger, collect: Collect | undefined = fullCollection()): Collect {
  return () => {
    collect?.();
    for (const backend of backends()) {
      void Promise.resolve()
        .then(() => backend.releaseIdleMemory?.())
        .catch((error: unknown) => logger.warn({ err: error, backend: backend.id }, 'cannot release idle memory'));
    }
  };
}

/**
 * Runs one collection (V8's full collection by default; the runtime passes `idleRelease`) when the server has been
 * idle for `delayMs` after serving something, so that an idle server gives back the heap its last requests left
 * behind (V8 otherwise keeps it until the next collection, which an idle process may not reach for a long time).
 * Never while requests run; once per idle period. `delayMs` 0 turns it off.
 */
export class IdleCollector {
  private timer: NodeJS.Timeout | undefined;
  private readonly collect: Collect | undefined;

  constructor(
    private readonly delayMs: number,
    collect: Collect | undefined = delayMs > 0 ? fullCollection() : undefined,
  ) {
    this.collect = collect;
  }

  /** A request started: an idle period, if one was counting down, is over. */
  busy(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** The last running request ended. */
  idle(): void {
    if (!this.collect || this.delayMs <= 0) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.collect!();
    }, this.delayMs);
    this.timer.unref();
  }

  close(): void {
    this.busy();
  }
}
