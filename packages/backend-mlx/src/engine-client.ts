import { Worker } from 'node:worker_threads';
import type { SamplingOptions } from '@llmux/core';
import type { EngineInit, FromEngine, ToEngine } from './engine/protocol.js';

/** Callbacks of one generation running in the engine worker. */
export interface GenerationHandlers {
  onStarted(cachedPromptTokens: number): void;
  onToken(token: number): void;
  onDone(reason: 'stop' | 'length' | 'abort', raw: string, completionTokens: number): void;
  onFailed(message: string): void;
}

export interface GenerationParams {
  slot: number;
  prompt: number[];
  maxTokens: number;
  sampling: SamplingOptions;
  stopTokens: number[];
}

/**
 * The owner thread's handle on an engine worker: starts it, routes its messages to the
 * generation they belong to, and fails every running generation if the worker dies.
 */
export class EngineClient {
  private readonly active = new Map<number, GenerationHandlers>();
  private nextId = 1;
  private deadWith: string | undefined;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (message: FromEngine) => this.route(message));
    worker.on('error', (error) => this.die(`The MLX engine failed: ${error.message}`));
    worker.on('exit', (code) => this.die(`The MLX engine stopped (exit code ${code}).`));
  }

  /** Starts a worker that loads the model; resolves when it is ready to generate. */
  static start(init: EngineInit, signal?: AbortSignal): Promise<{ client: EngineClient; memoryBytes: number }> {
    const worker = new Worker(new URL('./engine/engine-worker.js', import.meta.url), { workerData: init });
    return new Promise((resolve, reject) => {
      const fail = (error: Error) => {
        cleanup();
        void worker.terminate();
        reject(error);
      };
      const onMessage = (message: FromEngine) => {
        if (message.type === 'ready') {
          cleanup();
          resolve({ client: new EngineClient(worker), memoryBytes: message.memoryBytes });
        } else if (message.type === 'load-failed') fail(new Error(message.message));
      };
      const onError = (error: Error) => fail(error);
      const onExit = (code: number) => fail(new Error(`The MLX engine stopped while loading (exit code ${code}).`));
      const onAbort = () => fail(new Error('Loading was aborted.'));
      const cleanup = () => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        signal?.removeEventListener('abort', onAbort);
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Starts a generation; returns its id for `abort`. */
  generate(params: GenerationParams, handlers: GenerationHandlers): number {
    const id = this.nextId++;
    if (this.deadWith) {
      queueMicrotask(() => handlers.onFailed(this.deadWith!));
      return id;
    }
    this.active.set(id, handlers);
    this.post({ type: 'generate', id, ...params });
    return id;
  }

  abort(id: number): void {
    if (this.active.has(id)) this.post({ type: 'abort', id });
  }

  async terminate(): Promise<void> {
    this.deadWith ??= 'The model was unloaded.';
    await this.worker.terminate();
  }

  private post(message: ToEngine): void {
    this.worker.postMessage(message);
  }

  private route(message: FromEngine): void {
    if (!('id' in message)) return;
    const handlers = this.active.get(message.id);
    if (!handlers) return;
    switch (message.type) {
      case 'started':
        handlers.onStarted(message.cachedPromptTokens);
        break;
      case 'token':
        handlers.onToken(message.token);
        break;
      case 'done':
        this.active.delete(message.id);
        handlers.onDone(message.reason, message.raw, message.completionTokens);
        break;
      case 'failed':
        this.active.delete(message.id);
        handlers.onFailed(message.message);
        break;
    }
  }

  private die(reason: string): void {
    this.deadWith ??= reason;
    const handlers = [...this.active.values()];
    this.active.clear();
    for (const handler of handlers) handler.onFailed(this.deadWith);
  }
}
