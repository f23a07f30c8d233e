import {
  BackendRegistryToken,
  ConfigModelStore,
  container as rootContainer,
  type DependencyContainer,
  ConfigToken,
  LoggerToken,
  ModelManager,
  ModelManagerToken,
  ModelStoreToken,
  Registry,
  RouterRegistryToken,
  RouterToken,
  StoreRegistryToken,
  type Backend,
  type LoadedPluginInfo,
  type LlmuxConfig,
  type Logger,
  type ModelStore,
  type Router,
} from '@llmux/core';
import { TargetHealth } from '@llmux/router';
import { HfCacheStore } from '@llmux/store-hf';
import { IdleCollector, idleRelease } from './idle-collector.js';
import { InflightRequests } from './inflight.js';
import { loadPlugins, type LoadPluginsOptions } from './load-plugins.js';
import { ModelPulls } from './model-pulls.js';
import { TaskHints } from './task-hints.js';
import { validateVirtualModels } from './validate-virtual-models.js';

/** Everything a running server holds, wired through one DI container. */
export interface Runtime {
  container: DependencyContainer;
  config: LlmuxConfig;
  logger: Logger;
  manager: ModelManager;
  store: ModelStore;
  pulls: ModelPulls;
  router: Router;
  /** Every registered routing strategy, by id. */
  routers: Registry<Router>;
  /** Recent outcomes per model: latency and cooldown after repeated failures. */
  health: TargetHealth;
  /** The plugins loaded (built-in ones first). */
  plugins: LoadedPluginInfo[];
  /** Embedding hints for task routing. */
  taskHints: TaskHints;
  inflight: InflightRequests;
  startedAt: Date;
  /** Aborts what still runs, unloads every model, frees the engines. Idempotent. */
  close(): Promise<void>;
}

export type RuntimeOptions = LoadPluginsOptions;

/**
 * Builds the runtime for a config: registries, the built-in and configured plugins (backends,
 * routers, stores), the store, the manager. Rejects with a `PluginLoadError` when a plugin fails.
 */
export async function createRuntime(config: LlmuxConfig, logger: Logger, options: RuntimeOptions = {}): Promise<Runtime> {
  const container = rootContainer.createChildContainer();
  container.register(ConfigToken, { useValue: config });
  container.register(LoggerToken, { useValue: logger });

  const backends = new Registry<Backend>('backend');
  const routers = new Registry<Router>('router');
  const stores = new Registry<ModelStore>('store');
  stores.register(new ConfigModelStore(config.models));
  const store = new HfCacheStore({ config, logger: logger.child({ component: 'store' }) });
  stores.register(store);
  const plugins = await loadPlugins({ backends, routers, stores, container, logger }, config, options);

  container.register(BackendRegistryToken, { useValue: backends });
  container.register(RouterRegistryToken, { useValue: routers });
  container.register(StoreRegistryToken, { useValue: stores });
  container.register(ModelStoreToken, { useValue: store });

  const manager = new ModelManager({ config, backends, store, logger: logger.child({ component: 'model-manager' }) });
  container.register(ModelManagerToken, { useValue: manager });
  manager.refreshFromStore().catch((error: unknown) => logger.warn({ err: error }, 'cannot list the model store'));
  const pulls = new ModelPulls(store, manager);
  const router = routers.require(config.router.strategy);
  container.register(RouterToken, { useValue: router });
  validateVirtualModels(config, routers);
  const health = new TargetHealth({ failures: config.router.cooldown.failures, cooldownMs: config.router.cooldown.seconds * 1000 });

  const idleMs = config.server.idleCollect * 1000;
  const idleCollector = new IdleCollector(idleMs, idleMs > 0 ? idleRelease(() => backends.all(), logger) : undefined);
  const inflight = new InflightRequests(idleCollector);
  let closing: Promise<void> | undefined;
  return {
    container,
    config,
    logger,
    manager,
    store,
    pulls,
    router,
    routers,
    health,
    plugins,
    inflight,
    startedAt: new Date(),
    taskHints: new TaskHints(manager, logger.child({ component: 'task-hints' })),
    close: () => (closing ??= (idleCollector.close(), manager.shutdown())),
  };
}
