import { container as rootContainer, type DependencyContainer } from '../di/index.js';
import type { Backend } from '../contracts/backend.js';
import type { ModelStore } from '../contracts/model-store.js';
import type { Router } from '../contracts/router.js';
import { silentLogger, type Logger } from '../logging/logger.js';
import { PluginLoader, type LoadedPluginInfo } from '../plugin/plugin-loader.js';
import { Registry } from '../registry/registry.js';

export interface PluginCheckOptions {
  /** The plugin's options, as config would give them. */
  options?: Record<string, unknown>;
  /** Where names and relative paths resolve; default `process.cwd()`. */
  cwd?: string;
  logger?: Logger;
}

export interface PluginCheckResult {
  plugin: LoadedPluginInfo;
  backends: Registry<Backend>;
  routers: Registry<Router>;
  stores: Registry<ModelStore>;
  container: DependencyContainer;
}

/**
 * Loads a plugin by npm name or path through the production loader (resolution, import, shape
 * and version checks, options validation, `register`) into empty registries. Throws the same
 * `PluginLoadError` llmux would print at start-up.
 */
export async function checkPlugin(name: string, options: PluginCheckOptions = {}): Promise<PluginCheckResult> {
  const host = {
    backends: new Registry<Backend>('backend'),
    routers: new Registry<Router>('router'),
    stores: new Registry<ModelStore>('store'),
    container: rootContainer.createChildContainer(),
    logger: options.logger ?? silentLogger(),
  };
  const loader = new PluginLoader(host, options.cwd === undefined ? {} : { cwd: options.cwd });
  const plugin = await loader.load(options.options === undefined ? name : { name, options: options.options });
  return { plugin, ...host };
}
