import { EventEmitter } from 'node:events';
import { totalmem } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Backend } from '../contracts/backend.js';
import type { LoadedModel } from '../contracts/loaded-model.js';
import type { ModelStore } from '../contracts/model-store.js';
import type { RouteCandidate, RouterState } from '../contracts/router.js';
import type { LlmuxConfig, ModelConfig } from '../config/schema.js';
import { ErrorCodes } from '../errors/error-codes.js';
import { BackendUnavailableError, InsufficientMemoryError, LlmuxError, ModelLoadError, ModelNotFoundError } from '../errors/llmux-error.js';
import type { Logger } from '../logging/logger.js';
import type { Registry } from '../registry/registry.js';
import type { ModelLoadOptions, ModelLocation } from '../types/model.js';
import { planAdmission, type AdmissionCandidate } from './memory-plan.js';
import type { MemorySnapshot, ModelLoadProgressEvent, ModelSnapshot, ModelState, ModelStateEvent, UnloadReason } from './model-state.js';

export interface ModelManagerOptions {
  config: LlmuxConfig;
  backends: Registry<Backend>;
  store: ModelStore;
  logger: Logger;
  /** Physical memory in bytes; default `os.totalmem()`. */
  totalMemoryBytes?: number;
}

interface Entry {
  id: string;
  aliases: readonly string[];
  configured: boolean;
  state: ModelState;
  loading?: Promise<LoadedModel>;
  unloading?: Promise<void>;
  model?: LoadedModel;
  backend?: Backend;
  /** Bytes counted against the cap: the admitted estimate while loading, then the larger of estimate and reported use. */
  bytes: number;
  lastUsedAt: number;
  /** Callers between `acquire` resolving and their request reaching the model's own queue. */
  holds: number;
  failure?: { at: number; error: LlmuxError };
  /** While loading: the last fraction the backend reported. */
  loadProgress?: number;
}

const MB = 1024 * 1024;
const mb = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;

/**
 * Owns every model's lifecycle: loads on first use (concurrent first requests share one load),
 * admits loads against the memory cap (evicting idle models, least recently used first),
 * unloads idle models after their TTL, never unloads a pinned model on its own or a busy one
 * under its requests, and keeps failed loads in a short cooldown. Emits `state` events.
 */
export class ModelManager extends EventEmitter<{ state: [ModelStateEvent]; progress: [ModelLoadProgressEvent] }> {
  private readonly entries = new Map<string, Entry>();
  /** Per-model idle TTLs set by requests (Ollama's `keep_alive`), until the model next unloads. */
  private readonly keepAlive = new Map<string, number>();
  private readonly totalBytes: number;
  private admission: Promise<unknown> = Promise.resolve();
  /** Memory estimates by backend, file and options: reloads after an eviction skip reading the metadata again. */
  private readonly estimates = new Map<string, number>();
  /** Pins set at run time (admin API); they override the config's `pin`. */
  private readonly pins = new Map<string, boolean>();
  private readonly sweeper: NodeJS.Timeout;
  private closing = false;

  constructor(private readonly options: ModelManagerOptions) {
    super();
    this.totalBytes = options.totalMemoryBytes ?? totalmem();
    for (const [id, model] of Object.entries(options.config.models)) this.addEntry(id, model.aliases, true);
    this.sweeper = setInterval(() => void this.expireIdle(), this.sweepIntervalMs());
    this.sweeper.unref();
  }

  /** Every known model (configured, and store models added with `addStoreModels`), as routers see them. */
  candidates(): RouteCandidate[] {
    return [...this.entries.values()].map((entry) => ({
      id: entry.id,
      aliases: entry.aliases,
      ...(entry.model ? { contextLength: entry.model.capabilities.contextLength } : {}),
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

  /** The configured or store id a name (id or alias) stands for. */
  idFor(name: string): string | undefined {
    if (this.entries.has(name)) return name;
    for (const entry of this.entries.values()) if (entry.aliases.includes(name)) return entry.id;
    return undefined;
  }

  /** Makes store models (pulled into the cache) known, so requests and routers can name them. */
  addStoreModels(models: readonly { id: string; aliases: readonly string[] }[]): void {
    for (const model of models) if (!this.entries.has(model.id)) this.addEntry(model.id, model.aliases, false);
  }

  /** Reads the store's inventory and makes every model in it known (at start, after pulls). */
  async refreshFromStore(): Promise<void> {
    const models = await this.options.store.list();
    this.addStoreModels(models);
  }

  /** Forgets a store model (after its files were removed); unloads it first. */
  async removeStoreModel(id: string): Promise<void> {
    const entry = this.entries.get(id);
    if (!entry || entry.configured) return;
    await this.unload(id);
    this.entries.delete(id);
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
    const promptCache = pick(model?.promptCache, defaults.promptCache);
    if (promptCache !== undefined) options.promptCache = promptCache;
    if (model?.gpu !== undefined) options.gpu = model.gpu;
    if (model?.options !== undefined) options.backendOptions = model.options;
    return options;
  }

  /** Idle seconds before a model is unloaded; 0 = never. */
  ttlSeconds(id: string): number {
    return this.keepAlive.get(id) ?? this.options.config.models[id]?.ttl ?? this.options.config.modelDefaults.ttl;
  }

  /**
   * Overrides a loaded model's idle TTL until it next unloads (Ollama's `keep_alive`):
   * seconds > 0, or 0 for never. Pinned models stay pinned.
   */
  setKeepAlive(id: string, seconds: number): void {
    if (!this.entries.get(id)?.model) return;
    this.keepAlive.set(id, Math.max(0, seconds));
  }

  /** Whether the model is pinned: set at run time by `setPinned`, else the config's `pin`. */
  pinned(id: string): boolean {
    return this.pins.get(id) ?? this.options.config.models[id]?.pin ?? false;
  }

  /**
   * Pins or unpins a known model until the process ends (the config file is not changed).
   * A pinned model is never unloaded by TTL or evicted for memory; unpinning lets the TTL run again.
   */
  setPinned(ref: string, pinned: boolean): string {
    const id = this.idFor(ref);
    if (!id) throw new ModelNotFoundError(ref, [...this.entries.keys()]);
    this.pins.set(id, pinned);
    const entry = this.entries.get(id)!;
    // The TTL counts from now, not from a last use that may lie beyond it already.
    if (!pinned && entry.model) entry.lastUsedAt = Date.now();
    return id;
  }

  /** What a model would take in memory (its backend's estimate with its load options), without loading it. */
  async estimate(ref: string): Promise<{ bytes: number; backend: string; capBytes: number }> {
    const id = this.idFor(ref);
    if (!id) throw new ModelNotFoundError(ref, [...this.entries.keys()]);
    const location = await this.options.store.resolve(id);
    const backend = await this.chooseBackend(location);
    return { bytes: await this.estimateBytes(backend, location, this.loadOptions(id)), backend: backend.id, capBytes: this.capBytes() };
  }

  /**
   * The model, loaded. The first call starts the load; calls while it runs share it.
   * A failed load leaves the model `available`, rejects every waiter with the cause, and
   * answers with the same cause until the cooldown (`modelDefaults.loadCooldown`) has passed.
   */
  async acquire(id: string): Promise<LoadedModel> {
    const entry = this.entries.get(id);
    if (!entry) throw new ModelNotFoundError(id, [...this.entries.keys()]);
    const model = await this.ensureLoaded(entry, false);
    this.hold(entry);
    return model;
  }

  /**
   * Loads a model on request (admin API, CLI): a known id or alias, or any reference the store
   * resolves (a pulled hub model, a local path). Ignores a running cooldown: the caller asked.
   */
  async load(ref: string): Promise<LoadedModel> {
    let id = this.idFor(ref);
    if (!id) {
      const location = await this.options.store.resolve(ref);
      id = this.idFor(location.id) ?? location.id;
      if (!this.entries.has(id)) this.addEntry(id, id === ref ? [] : [ref], false);
    }
    const entry = this.entries.get(id)!;
    const model = await this.ensureLoaded(entry, true);
    entry.lastUsedAt = Date.now();
    return model;
  }

  /**
   * Unloads a model; waits for an ongoing load first, and for the model's requests to finish
   * (a model is never unloaded under its requests). Requests arriving meanwhile load it again
   * afterwards. Idempotent.
   */
  async unload(id: string, reason: UnloadReason = 'request'): Promise<void> {
    const entry = this.entries.get(id);
    if (!entry) throw new ModelNotFoundError(id, [...this.entries.keys()]);
    if (entry.loading) await entry.loading.catch(() => undefined);
    if (entry.unloading) return entry.unloading;
    if (!entry.model) return;
    entry.unloading = this.drainAndUnload(entry, reason).finally(() => {
      entry.unloading = undefined;
    });
    return entry.unloading;
  }

  /** Every known model with its state, memory, TTL and load. */
  snapshot(): ModelSnapshot[] {
    const now = Date.now();
    return [...this.entries.values()].map((entry) => {
      const stats = entry.model?.stats();
      const ttlSeconds = this.ttlSeconds(entry.id);
      const pinned = this.pinned(entry.id);
      const busy = this.busy(entry);
      const snapshot: ModelSnapshot = {
        id: entry.id,
        aliases: entry.aliases,
        state: entry.state,
        configured: entry.configured,
        pinned,
        ttlSeconds,
        memoryBytes: entry.state === 'available' ? 0 : entry.bytes,
        active: stats?.active ?? 0,
        queued: stats?.queued ?? 0,
      };
      if (stats?.promptCache) snapshot.promptCache = stats.promptCache;
      if (entry.lastUsedAt > 0) snapshot.lastUsedAt = entry.lastUsedAt;
      if (entry.state === 'loading' && entry.loadProgress !== undefined) snapshot.loadProgress = entry.loadProgress;
      if (entry.model && ttlSeconds > 0 && !pinned && !busy) snapshot.expiresAt = entry.lastUsedAt + ttlSeconds * 1000;
      const cooldownUntil = entry.failure ? entry.failure.at + this.cooldownMs() : 0;
      if (entry.failure && cooldownUntil > now) {
        snapshot.lastError = entry.failure.error.message;
        snapshot.cooldownUntil = cooldownUntil;
      }
      return snapshot;
    });
  }

  /** Memory as admission counts it. */
  memory(): MemorySnapshot {
    const models = [...this.entries.values()]
      .filter((entry) => entry.state !== 'available')
      .map((entry) => ({ id: entry.id, state: entry.state, bytes: entry.bytes }));
    return {
      totalBytes: this.totalBytes,
      capBytes: this.capBytes(),
      usedBytes: models.reduce((sum, model) => sum + model.bytes, 0),
      maxFraction: this.options.config.memory.maxFraction,
      models,
    };
  }

  /** Stops new loads and unloads everything, in reverse order of loading. */
  async shutdown(): Promise<void> {
    this.closing = true;
    clearInterval(this.sweeper);
    const ids = [...this.entries.keys()].reverse();
    for (const id of ids) {
      await this.unload(id, 'shutdown').catch((error: unknown) => this.options.logger.error({ err: error, model: id }, 'unload failed'));
    }
    for (const backend of this.options.backends.all()) {
      await backend.dispose().catch((error: unknown) => this.options.logger.error({ err: error, backend: backend.id }, 'backend dispose failed'));
    }
  }

  private addEntry(id: string, aliases: readonly string[], configured: boolean): void {
    this.entries.set(id, { id, aliases, configured, state: 'available', bytes: 0, lastUsedAt: 0, holds: 0 });
  }

  private async ensureLoaded(entry: Entry, explicit: boolean): Promise<LoadedModel> {
    for (;;) {
      if (entry.unloading) {
        await entry.unloading.catch(() => undefined);
        continue;
      }
      if (entry.model) return entry.model;
      if (entry.loading) return entry.loading;
      if (this.closing) throw new BackendUnavailableError('The server is shutting down.');
      if (!explicit) this.throwIfCoolingDown(entry);
      entry.loading = this.loadEntry(entry).finally(() => {
        entry.loading = undefined;
      });
      return entry.loading;
    }
  }

  /**
   * Keeps a just-acquired model busy until the caller's request has reached the model's own
   * queue (which `stats()` counts): the caller calls `stream()` in the same turn of the event loop.
   */
  private hold(entry: Entry): void {
    entry.lastUsedAt = Date.now();
    entry.holds += 1;
    setImmediate(() => {
      entry.holds -= 1;
    });
  }

  private busy(entry: Entry): boolean {
    const stats = entry.model?.stats();
    return entry.holds > 0 || (stats !== undefined && stats.active + stats.queued > 0);
  }

  private throwIfCoolingDown(entry: Entry): void {
    if (!entry.failure) return;
    const left = entry.failure.at + this.cooldownMs() - Date.now();
    if (left <= 0) return;
    const seconds = Math.ceil(left / 1000);
    throw new ModelLoadError(`${entry.failure.error.message} (last attempt failed; the next one is allowed in ${seconds}s)`, {
      cause: entry.failure.error,
      retryAfterSeconds: seconds,
    });
  }

  private cooldownMs(): number {
    return this.options.config.modelDefaults.loadCooldown * 1000;
  }

  private capBytes(): number {
    const fraction = this.options.config.memory.maxFraction * this.totalBytes;
    const absolute = this.options.config.memory.maxBytes;
    return Math.floor(absolute !== undefined ? Math.min(fraction, absolute) : fraction);
  }

  private async loadEntry(entry: Entry): Promise<LoadedModel> {
    const { id } = entry;
    const started = performance.now();
    this.setState(entry, 'loading');
    try {
      const location = await this.options.store.resolve(id);
      const backend = await this.chooseBackend(location);
      const options = this.loadOptions(id);
      const needBytes = await this.estimateBytes(backend, location, options);
      await this.admit(entry, needBytes);
      this.options.logger.info({ model: id, backend: backend.id, path: location.path, estimatedBytes: needBytes }, 'loading model');
      const model = await backend.load(location, { ...options, onProgress: ({ fraction }) => this.reportProgress(entry, fraction) });
      entry.loadProgress = undefined;
      entry.model = model;
      entry.backend = backend;
      entry.failure = undefined;
      // Backends may report less than their estimate (buffers they do not count): admission keeps the larger.
      entry.bytes = Math.max(needBytes, Math.ceil(model.memory.cpuBytes + model.memory.gpuBytes));
      entry.lastUsedAt = Date.now();
      const durationMs = Math.round(performance.now() - started);
      this.setState(entry, 'loaded', { durationMs });
      this.options.logger.info({ model: id, durationMs }, 'model loaded');
      return model;
    } catch (error) {
      entry.bytes = 0;
      const wrapped =
        error instanceof LlmuxError ? error : new ModelLoadError(`Model '${id}' failed to load: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      // Memory pressure changes as other models come and go, so it is not worth a cooldown.
      if (wrapped.code !== ErrorCodes.insufficientMemory) entry.failure = { at: Date.now(), error: wrapped };
      entry.loadProgress = undefined;
      this.setState(entry, 'available', { error: wrapped.message, code: wrapped.code });
      this.options.logger.error({ model: id, err: error }, 'model load failed');
      throw wrapped;
    }
  }

  private async estimateBytes(backend: Backend, location: ModelLocation, options: ModelLoadOptions): Promise<number> {
    const key = JSON.stringify([backend.id, location.path, options]);
    let bytes = this.estimates.get(key);
    if (bytes === undefined) {
      const estimate = await backend.estimateMemory(location, options);
      bytes = Math.ceil(estimate.cpuBytes + estimate.gpuBytes);
      this.estimates.set(key, bytes);
    }
    return bytes;
  }

  /**
   * Reserves `needBytes` for the entry under the cap, evicting idle unpinned models (least
   * recently used first) when needed. Admissions run one at a time so two loads cannot both
   * count the same free memory. Refuses, evicting nothing, when even evicting every idle
   * model would not make room.
   */
  private admit(entry: Entry, needBytes: number): Promise<void> {
    const run = this.admission.then(async () => {
      const capBytes = this.capBytes();
      let heldBytes = 0;
      const candidates: AdmissionCandidate[] = [];
      for (const other of this.entries.values()) {
        if (other === entry || other.state === 'available') continue;
        heldBytes += other.bytes;
        if (other.model && other.state === 'loaded') {
          candidates.push({ id: other.id, bytes: other.bytes, evictable: !this.pinned(other.id) && !this.busy(other), lastUsedAt: other.lastUsedAt });
        }
      }
      const plan = planAdmission(needBytes, capBytes, heldBytes, candidates);
      if (!plan.fits) {
        const limit = this.options.config.memory.maxBytes !== undefined && this.options.config.memory.maxBytes < this.options.config.memory.maxFraction * this.totalBytes
          ? `memory.maxBytes`
          : `${Math.round(this.options.config.memory.maxFraction * 100)}% of ${mb(this.totalBytes)} total`;
        const freeable = plan.evictable.length > 0 ? `, of which ${mb(plan.freeableBytes)} could be freed by evicting idle models (${plan.evictable.join(', ')})` : ', none of it evictable (pinned or busy)';
        throw new InsufficientMemoryError(
          `Not enough memory to load '${entry.id}': it needs about ${mb(needBytes)}, the cap is ${mb(capBytes)} (${limit}), ` +
            `and loaded models hold ${mb(heldBytes)}${freeable}. Unload a model, lower contextSize/parallel, or raise memory.maxFraction.`,
          { details: { model: entry.id, needBytes, capBytes, heldBytes, freeableBytes: plan.freeableBytes, totalBytes: this.totalBytes } },
        );
      }
      for (const victim of plan.evict) {
        this.options.logger.info({ model: victim, for: entry.id }, 'evicting idle model to make room');
        await this.unload(victim, 'lru');
      }
      entry.bytes = needBytes;
    });
    this.admission = run.catch(() => undefined);
    return run;
  }

  private async drainAndUnload(entry: Entry, reason: UnloadReason): Promise<void> {
    this.setState(entry, 'unloading', { reason });
    // Shutdown has already drained or aborted the server's requests; otherwise wait for them here.
    while (!this.closing && this.busy(entry)) await sleep(25);
    const model = entry.model!;
    entry.model = undefined;
    try {
      await model.unload();
    } finally {
      entry.bytes = 0;
      this.keepAlive.delete(entry.id);
      this.setState(entry, 'available', { reason });
      this.options.logger.info({ model: entry.id, reason }, 'model unloaded');
    }
  }

  /** Unloads loaded, idle, unpinned models whose TTL has passed since their last request. */
  private async expireIdle(): Promise<void> {
    const now = Date.now();
    for (const entry of this.entries.values()) {
      if (!entry.model || entry.state !== 'loaded' || entry.unloading) continue;
      const ttl = this.ttlSeconds(entry.id);
      if (ttl <= 0 || this.pinned(entry.id)) continue;
      if (this.busy(entry)) {
        entry.lastUsedAt = now;
        continue;
      }
      if (now - entry.lastUsedAt >= ttl * 1000) {
        await this.unload(entry.id, 'ttl').catch((error: unknown) => this.options.logger.error({ err: error, model: entry.id }, 'idle unload failed'));
      }
    }
  }

  /** A quarter of the shortest TTL, between 50 ms and 1 s: expiry is never late by much. */
  private sweepIntervalMs(): number {
    const ttls = [this.options.config.modelDefaults.ttl, ...Object.values(this.options.config.models).map((m) => m.ttl ?? 0)].filter((t) => t > 0);
    if (ttls.length === 0) return 1000;
    return Math.min(1000, Math.max(50, (Math.min(...ttls) * 1000) / 4));
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

  /** Publishes load progress in steps of at least 1% (backends may report far more often). */
  private reportProgress(entry: Entry, fraction: number): void {
    const rounded = Math.min(1, Math.max(0, Math.floor(fraction * 100) / 100));
    if (entry.state !== 'loading' || rounded === entry.loadProgress) return;
    entry.loadProgress = rounded;
    this.emit('progress', { model: entry.id, fraction: rounded });
  }

  private setState(entry: Entry, state: ModelState, extra: Partial<ModelStateEvent> = {}): void {
    entry.state = state;
    this.emit('state', { model: entry.id, state, ...extra });
  }
}
