import { PluginLoader, type BuiltinPluginEntry, type LoadedPluginInfo, type LlmuxConfig, type PluginHost } from '@llmux/core';

/** The plugins shipped with llmux: loaded first, through the same checks as configured ones. */
const BUILTIN_PLUGINS: readonly BuiltinPluginEntry[] = [
  { name: '@llmux/backend-gguf', load: () => import('@llmux/backend-gguf') },
  { name: '@llmux/backend-mlx', load: () => import('@llmux/backend-mlx') },
  { name: '@llmux/router', load: () => import('@llmux/router') },
];

export interface LoadPluginsOptions {
  /** Where plugin names and relative paths are looked up first; default `process.cwd()`. */
  cwd?: string;
}

/**
 * Loads the built-in plugins, then the ones config lists, in order. A config entry that names a
 * built-in configures it (its options) instead of loading it twice. The first failure stops start-up.
 */
export async function loadPlugins(host: PluginHost, config: LlmuxConfig, options: LoadPluginsOptions = {}): Promise<LoadedPluginInfo[]> {
  const loader = new PluginLoader(host, { ...(options.cwd ? { cwd: options.cwd } : {}), installPaths: [import.meta.url] });
  const nameOf = (entry: LlmuxConfig['plugins'][number]) => (typeof entry === 'string' ? entry : entry.name);
  for (const builtin of BUILTIN_PLUGINS) {
    const configured = config.plugins.find((entry) => nameOf(entry) === builtin.name);
    const pluginOptions = configured && typeof configured !== 'string' ? configured.options : undefined;
    await loader.loadBuiltin(pluginOptions ? { ...builtin, options: pluginOptions } : builtin);
  }
  const builtinNames = new Set(BUILTIN_PLUGINS.map((builtin) => builtin.name));
  await loader.loadAll(config.plugins.filter((entry) => !builtinNames.has(nameOf(entry))));
  return loader.plugins();
}
