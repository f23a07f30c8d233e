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
  waiters: number;
  last?: PullProgress;
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
    if (!store.pull) throw new InvalidRequestError(`The model store '${store.id}' cannot download models.`);
    let pull = this.running.get(ref);
    if (!pull) {
      const controller = new AbortController();
      let lastSent = 0;
      const started: RunningPull = { controller, waiters: 0, promise: Promise.resolve(undefined as unknown as ModelLocation) };
      started.promise = store
        .pull(ref, {
          signal: controller.signal,
          onProgress: (progress) => {
            started.last = progress;
            const now = Date.now();
            const fileDone = progress.receivedBytes === progress.totalBytes;
            if (fileDone || now - lastSent >= PROGRESS_INTERVAL_MS) {
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
      this.running.set(ref, started);
      pull = started;
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
}
