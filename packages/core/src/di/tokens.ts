import 'reflect-metadata';
import type { InjectionToken } from 'tsyringe';
import type { Backend } from '../contracts/backend.js';
import type { ModelStore } from '../contracts/model-store.js';
import type { Router } from '../contracts/router.js';
import type { LlmuxConfig } from '../config/schema.js';
import type { Logger } from '../logging/logger.js';
import type { Registry } from '../registry/registry.js';
import type { ModelManager } from '../manager/model-manager.js';

/**
 * Typed DI tokens, named `<area>.<service>`. Register with `useValue`/`useFactory`;
 * nothing relies on decorator metadata (esbuild and vitest do not emit it).
 */
export const ConfigToken: InjectionToken<LlmuxConfig> = Symbol.for('llmux.core.config');
export const LoggerToken: InjectionToken<Logger> = Symbol.for('llmux.core.logger');
export const BackendRegistryToken: InjectionToken<Registry<Backend>> = Symbol.for('llmux.core.backend-registry');
export const RouterRegistryToken: InjectionToken<Registry<Router>> = Symbol.for('llmux.core.router-registry');
export const StoreRegistryToken: InjectionToken<Registry<ModelStore>> = Symbol.for('llmux.core.store-registry');
export const ModelStoreToken: InjectionToken<ModelStore> = Symbol.for('llmux.core.model-store');
export const ModelManagerToken: InjectionToken<ModelManager> = Symbol.for('llmux.core.model-manager');
export const RouterToken: InjectionToken<Router> = Symbol.for('llmux.core.router');
