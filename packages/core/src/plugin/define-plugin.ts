import type { z } from 'zod';
import type { PluginContext } from './plugin-context.js';

/**
 * A llmux plugin: a plain object, made by `definePlugin`, that a package exports as its default
 * export. Importing it must do nothing; the host calls `register` once, at start-up.
 */
export interface LlmuxPlugin<TOptions = unknown> {
  /** The plugin's id: by convention its npm package name (`llmux-plugin-foo`, `@scope/llmux-plugin-foo`). */
  readonly name: string;
  /** The plugin's own version (its package version), for logs. */
  readonly version: string;
  /** The `@llmux/core` contract versions it works with, as a semver range (e.g. `^1.0.0`). */
  readonly llmux: string;
  /** Validates the `options` given to the plugin in config; absent = the plugin takes no options. */
  readonly options?: z.ZodType<TOptions>;
  /** Registers what the plugin provides (backends, routers, stores). May be async. */
  register(context: PluginContext<TOptions>): void | Promise<void>;
}

/** What a plugin author writes: the plugin with its options' type inferred from the schema. */
export interface PluginDefinition<TOptions> {
  name: string;
  version: string;
  llmux: string;
  options?: z.ZodType<TOptions>;
  register(context: PluginContext<TOptions>): void | Promise<void>;
}

/**
 * Declares a plugin. Pure: it returns a frozen description and registers nothing, so importing a
 * plugin package has no side effects. Export the result as the package's default export.
 */
export function definePlugin<TOptions = Record<string, never>>(definition: PluginDefinition<TOptions>): LlmuxPlugin<TOptions> {
  return Object.freeze({ ...definition });
}
