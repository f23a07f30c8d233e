import { EventEmitter } from 'node:events';
import type { Backend } from '../contracts/backend.js';
import type { LoadedModel } from '../contracts/loaded-model.js';
import type { ModelStore } from '../contracts/model-store.js';
import type { RouteCandidate, RouterState } from '../contracts/router.js';
import type { LlmuxConfig, ModelConfig } from '../config/schema.js';
import { BackendUnavailableError, LlmuxError, ModelLoadError, ModelNotFoundError } from '../errors/llmux-error.js';
import type { Logger } from '../logging/logger.js';
import type { Registry } from '../registry/registry.js';
import type { ModelLoadOptions, ModelLocation } from '../types/model.js';
import type { ModelState, ModelStateEvent } from './model-state.js';

export interface ModelManagerOptions {
  config: LlmuxConfig;
  backends: Registry<Backend>;
  store: ModelStore;
  logger: Logger;
}

interface Entry {
  state: ModelState;
  loading?: Promise<LoadedModel>;
  model?: LoadedModel;
  backend?: Backend;
}

/**
 * Owns every model's lifecycle: loads on first use (concurrent first requests share one
 * load), keeps models loaded, unloads on shutdown. Emits `state` events (`ModelStateEvent`).
 */
export class ModelManager extends EventEmitter<{ state: [ModelStateEvent] }> {
  private readonly entries = new Map<string, Entry>();
  private closing = false;

  constructor(private readonly options: ModelManagerOptions) {
    super();
    for (const id of Object.keys(options.config.models)) this.entries.set(id, { state: 'available' });
  }

  /** Every configured model, as routers see them. */
  candidates(): RouteCandidate[] {
    return Object.entries(this.options.config.models).map(([id, model]) => ({
      id,
      aliases: model.aliases,
      ...(this.entries.get(id)?.model ? { contextLength: this.entries.get(id)!.model!.capabilities.contextLength } : {}),
    }));
  }

  /** The live view a router decides on. */
  routerState(): RouterState {
    const loaded = new Set<string>();
    for (const [id, entry] of this.entries) if (entry.model) loaded.add(id);
    return {
      loaded,
      queueDepth: (id) => {
        const stats = this.entries.get(id)?.model?.stats();
        return stats ? stats.active + stats.queued : 0;
      },
    };
  }

  state(id: string): ModelState | undefined {
    return this.entries.get(id)?.state;
  }

  /** The loaded model, or undefined when it is not in memory. */
  peek(id: string): LoadedModel | undefined {
    return this.entries.get(id)?.model;
  }

  /** Loaded models by id. */
  loaded(): Map<string, LoadedModel> {
    const result = new Map<string, LoadedModel>();
    for (const [id, entry] of this.entries) if (entry.model) result.set(id, entry.model);
    return result;
  }

  modelConfig(id: string): ModelConfig | undefined {
    return this.options.config.models[id];
  }

  /** Load options for a model: its own keys over `modelDefaults`. */
  loadOptions(id: string): ModelLoadOptions {
    const model = this.options.config.models[id];
    const defaults = this.options.config.modelDefaults;
    const pick = <T>(own: T | undefined, fallback: T | undefined) => (own !== undefined ? own : fallback);
    const options: ModelLoadOptions = {
      parallel: pick(model?.parallel, defaults.parallel) ?? 4,
      maxQueue: pick(model?.maxQueue, defaults.maxQueue) ?? 64,
    };
    const contextSize = pick(model?.contextSize, defaults.contextSize);
    if (contextSize !== undefined) options.contextSize = contextSize;
    const threads = pick(model?.threads, defaults.threads);
    if (threads !== undefined) options.threads = threads;
    const batchSize = pick(model?.batchSize, defaults.batchSize);
    if (batchSize !== undefined) options.batchSize = batchSize;
    const flashAttention = pick(model?.flashAttention, defaults.flashAttention);
    if (flashAttention !== undefined) options.flashAttention = flashAttention;
    const kvCache = pick(model?.kvCache, defaults.kvCache);
    if (kvCache !== undefined) options.kvCache = kvCache;
    if (model?.gpu !== undefined) options.gpu = model.gpu;
    if (model?.options !== undefined) options.backendOptions = model.options;
    return options;
  }

  /**
   * The model, loaded. The first call starts the load; calls while it runs share it.
   * A failed load leaves the model `available` and rejects every waiter with the cause.
   */
  async acquire(id: string): Promise<LoadedModel> {
    const entry = this.entries.get(id);
    if (!entry) throw new ModelNotFoundError(id, [...this.entries.keys()]);
    if (entry.model) return entry.model;
    if (entry.loading) return entry.loading;
    if (this.closing) throw new BackendUnavailableError('The server is shutting down.');
    entry.loading = this.load(id, entry).finally(() => {
      entry.loading = undefined;
    });
    return entry.loading;
  }

  /** Unloads a model; waits for an ongoing load first. Idempotent. */
  async unload(id: string): Promise<void> {
    const entry = this.entries.get(id);
    if (!entry) throw new ModelNotFoundError(id, [...this.entries.keys()]);
    if (entry.loading) await entry.loading.catch(() => undefined);
    const model = entry.model;
    if (!model) return;
    this.setState(id, entry, 'unloading');
    entry.model = undefined;
    try {
      await model.unload();
    } finally {
      this.setState(id, entry, 'available');
    }
  }

  /** Stops new loads and unloads everything, in reverse order of loading. */
  async shutdown(): Promise<void> {
    this.closing = true;
    const ids = [...this.entries.keys()].reverse();
    for (const id of ids) {
      await this.unload(id).catch((error: unknown) => this.options.logger.error({ err: error, model: id }, 'unload failed'));
    }
    for (const backend of this.options.backends.all()) {
      await backend.dispose().catch((error: unknown) => this.options.logger.error({ err: error, backend: backend.id }, 'backend dispose failed'));
    }
  }

  private async load(id: string, entry: Entry): Promise<LoadedModel> {
    const started = performance.now();
    this.setState(id, entry, 'loading');
    try {
      const location = await this.options.store.resolve(id);
      const backend = await this.chooseBackend(location);
      const options = this.loadOptions(id);
      this.options.logger.info({ model: id, backend: backend.id, path: location.path }, 'loading model');
      const model = await backend.load(location, options);
      entry.model = model;
      entry.backend = backend;
      const durationMs = Math.round(performance.now() - started);
      this.setState(id, entry, 'loaded', { durationMs });
      this.options.logger.info({ model: id, durationMs }, 'model loaded');
      return model;
    } catch (error) {
      const wrapped =
        error instanceof LlmuxError ? error : new ModelLoadError(`Model '${id}' failed to load: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      this.setState(id, entry, 'available', { error: wrapped.message });
      this.options.logger.error({ model: id, err: error }, 'model load failed');
      throw wrapped;
    }
  }

  private async chooseBackend(location: ModelLocation): Promise<Backend> {
    if (location.backend) return this.options.backends.require(location.backend);
    for (const backend of this.options.backends.all()) {
      if (backend.capabilities.formats.includes(location.format) && (await backend.canLoad(location))) return backend;
    }
    throw new BackendUnavailableError(
      `No registered backend loads '${location.format}' models like '${location.id}'. Registered backends: ${this.options.backends.ids().join(', ') || 'none'}.`,
    );
  }

  private setState(id: string, entry: Entry, state: ModelState, extra: Partial<ModelStateEvent> = {}): void {
    entry.state = state;
    this.emit('state', { model: id, state, ...extra });
  }
}
