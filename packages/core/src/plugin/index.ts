export { definePlugin, type LlmuxPlugin, type PluginDefinition } from './define-plugin.js';
export type { PluginContext } from './plugin-context.js';
export { PluginLoadError, type PluginLoadFailure } from './plugin-load-error.js';
export {
  PluginLoader,
  type PluginHost,
  type PluginEntry,
  type BuiltinPluginEntry,
  type PluginLoaderOptions,
  type LoadedPluginInfo,
} from './plugin-loader.js';
export { toPluginSpecifier, isLocalPath, type PluginSpecifier } from './plugin-specifier.js';
