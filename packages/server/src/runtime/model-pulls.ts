import { EventEmitter } from 'node:events';
import { AbortedError, InvalidRequestError, type ModelLocation, type ModelManager, type ModelStore, type PullProgress } from '@llmux/core';

/** Published while pulls run (admin events, streaming pull responses). */
export type PullEvent =
  | { type: 'pull_progress'; ref: string; progress: PullProgress }
  | { type: 'pull_done'; ref: string; model: string }
  | { type: 'pull_failed'; ref: string; error: Error };

interface RunningPull {
  promise: Promise<ModelLocation>;
  controller: AbortController;
  /** Requests waiting on this pull; at 0 it is aborted. */
  waiters: number;
  readonly last: PullProgress | undefined;
}

/** Progress events per pull are spaced at least this far apart (the last one always goes out). */
const PROGRESS_INTERVAL_MS = 200;

/**
 * Runs store pulls for the server: one download per reference however many clients ask for it,
 * aborted when every client that asked has gone, and the manager told about the new model.
 */
export class ModelPulls extends EventEmitter<{ event: [PullEvent] }> {
  private readonly running = new Map<string, RunningPull>();

  constructor(
    private readonly store: ModelStore,
    private readonly manager: ModelManager,
  ) {
    super();
  }

  /** Pulls in progress, with their latest progress. */
  list(): { ref: string; progress?: PullProgress }[] {
    return [...this.running].map(([ref, pull]) => ({ ref, ...(pull.last ? { progress: pull.last } : {}) }));
  }

  /** Starts (or joins) the pull of `ref`; the caller's signal withdraws only its own interest. */
  pull(ref: string, signal?: AbortSignal): Promise<ModelLocation> {
    const store = this.store;
    if (!hasPull(store)) throw new InvalidRequestError(`The model store '${store.id}' cannot download models.`);
    let pull = this.running.get(ref);
    if (!pull) {
      pull = this.start(store, ref);
      this.running.set(ref, pull);
    }
    const joined = pull;
    joined.waiters += 1;
    const leave = () => {
      joined.waiters -= 1;
      if (joined.waiters === 0) joined.controller.abort(new AbortedError(`Every client pulling '${ref}' has gone.`));
    };
    if (signal?.aborted) leave();
    else signal?.addEventListener('abort', leave, { once: true });
    return joined.promise.finally(() => signal?.removeEventListener('abort', leave));
  }

  private start(store: ModelStore & { pull: NonNullable<ModelStore['pull']> }, ref: string): RunningPull {
    const controller = new AbortController();
    let lastSent = 0;
    let last: PullProgress | undefined;
    const promise = store
      .pull(ref, {
        signal: controller.signal,
        onProgress: (progress) => {
          last = progress;
          const now = Date.now();
          if (progress.receivedBytes === progress.totalBytes || now - lastSent >= PROGRESS_INTERVAL_MS) {
            lastSent = now;
            this.emit('event', { type: 'pull_progress', ref, progress });
          }
        },
      })
      .then(async (location) => {
        await this.manager.refreshFromStore();
        this.emit('event', { type: 'pull_done', ref, model: location.id });
        return location;
      })
      .catch((error: unknown) => {
        this.emit('event', { type: 'pull_failed', ref, error: error instanceof Error ? error : new Error(String(error)) });
        throw error;
      })
      .finally(() => this.running.delete(ref));
    return {
      promise,
      controller,
      waiters: 0,
      get last() {
        return last;
      },
    };
  }
}

function hasPull(store: ModelStore): store is ModelStore & { pull: NonNullable<ModelStore['pull']> } {
  return typeof store.pull === 'function';
}
