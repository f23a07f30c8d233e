import type { DependencyContainer } from 'tsyringe';
import type { Backend } from '../contracts/backend.js';
import type { ModelStore } from '../contracts/model-store.js';
import type { Router } from '../contracts/router.js';
import type { Logger } from '../logging/logger.js';

/** What `register` receives: the ways a plugin adds to the host, and what it may use. */
export interface PluginContext<TOptions = unknown> {
  /** The plugin's options from config, validated by its `options` schema (defaults applied). */
  readonly options: TOptions;
  /** A logger whose lines carry `plugin: <name>`. */
  readonly logger: Logger;
  /** A child of the host's DI container: the plugin's registrations stay in it; host tokens resolve through it. */
  readonly container: DependencyContainer;
  /** The `@llmux/core` version of the host. */
  readonly hostVersion: string;
  /** Adds a backend; its `id` is what model configs name in `backend:`. */
  registerBackend(backend: Backend): void;
  /** Adds a routing strategy; its `id` is what `router.strategy` names. */
  registerRouter(router: Router): void;
  /** Adds a model store. */
  registerStore(store: ModelStore): void;
}
