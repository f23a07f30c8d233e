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
  type LlmuxConfig,
  type Logger,
  type ModelStore,
  type Router,
} from '@llmux/core';
import { GgufBackend } from '@llmux/backend-gguf';
import { MlxBackend } from '@llmux/backend-mlx';
import { DirectRouter } from '@llmux/router';
import { InflightRequests } from './inflight.js';

/** Everything a running server holds, wired through one DI container. */
export interface Runtime {
  container: DependencyContainer;
  config: LlmuxConfig;
  logger: Logger;
  manager: ModelManager;
  router: Router;
  inflight: InflightRequests;
  startedAt: Date;
  /** Aborts what still runs, unloads every model, frees the engines. Idempotent. */
  close(): Promise<void>;
}

/** Builds the runtime for a config: registries, the shipped backends and routers, the store, the manager. */
export function createRuntime(config: LlmuxConfig, logger: Logger): Runtime {
  const container = rootContainer.createChildContainer();
  container.register(ConfigToken, { useValue: config });
  container.register(LoggerToken, { useValue: logger });

  const backends = new Registry<Backend>('backend');
  backends.register(new GgufBackend({ logger: logger.child({ backend: 'gguf' }) }));
  backends.register(new MlxBackend({ logger: logger.child({ backend: 'mlx' }) }));
  const routers = new Registry<Router>('router');
  routers.register(new DirectRouter());
  const stores = new Registry<ModelStore>('store');
  const store = new ConfigModelStore(config.models);
  stores.register(store);

  container.register(BackendRegistryToken, { useValue: backends });
  container.register(RouterRegistryToken, { useValue: routers });
  container.register(StoreRegistryToken, { useValue: stores });
  container.register(ModelStoreToken, { useValue: store });

  const manager = new ModelManager({ config, backends, store, logger: logger.child({ component: 'model-manager' }) });
  container.register(ModelManagerToken, { useValue: manager });
  const router = routers.require(config.router.strategy);
  container.register(RouterToken, { useValue: router });

  const inflight = new InflightRequests();
  let closing: Promise<void> | undefined;
  return {
    container,
    config,
    logger,
    manager,
    router,
    inflight,
    startedAt: new Date(),
    close: () => (closing ??= manager.shutdown()),
  };
}
