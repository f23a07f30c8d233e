import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import semver from 'semver';
import type { DependencyContainer } from 'tsyringe';
import type { Backend } from '../contracts/backend.js';
import type { ModelStore } from '../contracts/model-store.js';
import type { Router } from '../contracts/router.js';
import type { Logger } from '../logging/logger.js';
import type { Registry } from '../registry/registry.js';
import { LLMUX_CORE_VERSION } from '../version.js';
import type { LlmuxPlugin } from './define-plugin.js';
import { findPackageDir, packageEntry } from './package-entry.js';
import type { PluginContext } from './plugin-context.js';
import { PluginLoadError } from './plugin-load-error.js';
import { checkPluginShape } from './plugin-shape.js';
import { toPluginSpecifier } from './plugin-specifier.js';

/** The registries and services plugins add to. */
export interface PluginHost {
  backends: Registry<Backend>;
  routers: Registry<Router>;
  stores: Registry<ModelStore>;
  /** Each plugin gets a child of this container. */
  container: DependencyContainer;
  /** Each plugin gets a child of this logger. */
  logger: Logger;
}

/** A `plugins:` entry of config: a name or path, with options. */
export type PluginEntry = string | { name: string; options?: Record<string, unknown> };

/** A plugin the host ships: loaded through the same checks, from a module the host imports itself. */
export interface BuiltinPluginEntry {
  /** The package name, for messages. */
  name: string;
  /** Imports the plugin's module (e.g. `() => import('@llmux/backend-gguf')`). */
  load: () => Promise<unknown>;
  options?: Record<string, unknown>;
}

export interface PluginLoaderOptions {
  /** Where relative paths and the user's packages are looked up first; default `process.cwd()`. */
  cwd?: string;
  /**
   * Folders (or `import.meta.url`s) searched after `cwd` for packages: llmux's own install.
   * Default: the folder of this file.
   */
  installPaths?: string[];
}

/** What a loaded plugin added. */
export interface LoadedPluginInfo {
  name: string;
  version: string;
  /** The file it was imported from, or `builtin`. */
  source: string;
  backends: string[];
  routers: string[];
  stores: string[];
}

type Kind = 'backend' | 'router' | 'store';

/**
 * Loads plugins by npm name or path, checks them, and runs their `register`. Every failure is a
 * `PluginLoadError` whose `reason` tells apart: not installed, failed to import, not a llmux plugin,
 * incompatible host version, duplicate id (plus invalid options and a failing `register`).
 */
export class PluginLoader {
  private readonly loaded = new Map<string, LoadedPluginInfo>();
  /** `kind:id` -> the plugin that registered it. */
  private readonly owners = new Map<string, string>();
  private readonly cwd: string;
  private readonly installPaths: string[];

  constructor(
    private readonly host: PluginHost,
    options: PluginLoaderOptions = {},
  ) {
    this.cwd = options.cwd ?? process.cwd();
    this.installPaths = (options.installPaths ?? [import.meta.url]).map((p) =>
      p.startsWith('file:') ? path.dirname(fileURLToPath(p)) : p,
    );
  }

  /** The plugins loaded so far, in load order. */
  plugins(): LoadedPluginInfo[] {
    return [...this.loaded.values()];
  }

  /** Loads config entries in order; the first failure stops and throws. */
  async loadAll(entries: readonly PluginEntry[]): Promise<LoadedPluginInfo[]> {
    const infos: LoadedPluginInfo[] = [];
    for (const entry of entries) infos.push(await this.load(entry));
    return infos;
  }

  /** Loads one config entry: resolves it, imports it, checks it and registers it. */
  async load(entry: PluginEntry): Promise<LoadedPluginInfo> {
    const name = typeof entry === 'string' ? entry : entry.name;
    const options = typeof entry === 'string' ? undefined : entry.options;
    const file = this.resolve(name);
    let module: unknown;
    try {
      module = await import(pathToFileURL(file).href);
    } catch (error) {
      throw new PluginLoadError('import-failed', name, `The plugin '${name}' is installed (${file}) but failed to import: ${causeText(error)}`, {
        cause: error,
      });
    }
    return this.register(name, module, options, file);
  }

  /** Loads a plugin the host ships with, through the same checks as a configured one. */
  async loadBuiltin(entry: BuiltinPluginEntry): Promise<LoadedPluginInfo> {
    let module: unknown;
    try {
      module = await entry.load();
    } catch (error) {
      throw new PluginLoadError('import-failed', entry.name, `The built-in plugin '${entry.name}' failed to import: ${causeText(error)}`, {
        cause: error,
      });
    }
    return this.register(entry.name, module, entry.options, 'builtin');
  }

  /** Checks an imported module and runs its plugin's `register`. */
  async register(name: string, module: unknown, rawOptions: Record<string, unknown> | undefined, source: string): Promise<LoadedPluginInfo> {
    const shape = checkPluginShape(module);
    if ('problems' in shape) {
      throw new PluginLoadError(
        'not-a-plugin',
        name,
        `'${name}' (${source}) is not a llmux plugin: ${shape.problems.join('; ')}. ` +
          "A plugin's entry must `export default definePlugin({ name, version, llmux, register })` from @llmux/core.",
      );
    }
    const plugin = shape.plugin;
    this.checkHostVersion(name, plugin);
    const previous = this.loaded.get(plugin.name);
    if (previous) {
      throw new PluginLoadError(
        'duplicate-id',
        name,
        `The plugin id '${plugin.name}' is loaded twice (from ${previous.source} and ${source}). List each plugin once in \`plugins\`.`,
      );
    }
    const options = this.validateOptions(name, plugin, rawOptions);
    const info: LoadedPluginInfo = { name: plugin.name, version: plugin.version, source, backends: [], routers: [], stores: [] };
    try {
      await plugin.register(this.contextFor(plugin, options, info));
    } catch (error) {
      if (error instanceof PluginLoadError) throw error;
      throw new PluginLoadError('register-failed', name, `The plugin '${plugin.name}' failed while registering: ${causeText(error)}`, {
        cause: error,
      });
    }
    this.loaded.set(plugin.name, info);
    this.host.logger.info(
      { plugin: plugin.name, version: plugin.version, source, backends: info.backends, routers: info.routers, stores: info.stores },
      'plugin loaded',
    );
    return info;
  }

  private resolve(name: string): string {
    const specifier = toPluginSpecifier(name, this.cwd);
    if (specifier.kind === 'path') {
      try {
        return packageEntry(specifier.path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          throw new PluginLoadError('not-installed', name, `The plugin '${name}' was not found: ${specifier.path} does not exist.`, { cause: error });
        }
        throw new PluginLoadError('import-failed', name, `The plugin '${name}' at ${specifier.path} cannot be imported: ${causeText(error)}`, {
          cause: error,
        });
      }
    }
    const searched = [this.cwd, ...this.installPaths];
    const dir = searched.map((from) => findPackageDir(specifier.name, from)).find((found) => found !== undefined);
    if (!dir) {
      throw new PluginLoadError(
        'not-installed',
        name,
        `The plugin '${specifier.name}' is not installed. Install it in your project with \`npm install ${specifier.name}\`` +
          ` (looked in the node_modules folders from ${searched.join(' and ')}).`,
      );
    }
    try {
      return packageEntry(dir);
    } catch (error) {
      throw new PluginLoadError('import-failed', name, `The plugin '${specifier.name}' is installed (${dir}) but failed to import: ${causeText(error)}`, {
        cause: error,
      });
    }
  }

  private checkHostVersion(name: string, plugin: LlmuxPlugin): void {
    if (semver.satisfies(LLMUX_CORE_VERSION, plugin.llmux, { includePrerelease: true })) return;
    const major = semver.major(LLMUX_CORE_VERSION);
    throw new PluginLoadError(
      'incompatible-version',
      name,
      `The plugin '${plugin.name}' ${plugin.version} supports llmux core ${plugin.llmux}, but this llmux has core ${LLMUX_CORE_VERSION} ` +
        `(it loads plugins whose range includes ${LLMUX_CORE_VERSION}, e.g. ^${major}.0.0). ` +
        `Install a version of '${plugin.name}' made for this llmux, or a llmux whose core matches ${plugin.llmux}.`,
      { details: { pluginRange: plugin.llmux, hostVersion: LLMUX_CORE_VERSION } },
    );
  }

  private validateOptions(name: string, plugin: LlmuxPlugin, raw: Record<string, unknown> | undefined): unknown {
    if (!plugin.options) {
      if (raw && Object.keys(raw).length > 0) {
        throw new PluginLoadError('invalid-options', name, `The plugin '${plugin.name}' takes no options, but config gives it: ${Object.keys(raw).join(', ')}.`);
      }
      return {};
    }
    const parsed = plugin.options.safeParse(raw ?? {});
    if (parsed.success) return parsed.data;
    const issues = parsed.error.issues.map((issue) => `  - plugins.${plugin.name}.options.${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new PluginLoadError('invalid-options', name, `Invalid options for the plugin '${plugin.name}':\n${issues.join('\n')}`);
  }

  private contextFor(plugin: LlmuxPlugin, options: unknown, info: LoadedPluginInfo): PluginContext<unknown> {
    const claim = (kind: Kind, id: string) => {
      const key = `${kind}:${id}`;
      const owner = this.owners.get(key);
      const registry: Registry<{ id: string }> = kind === 'backend' ? this.host.backends : kind === 'router' ? this.host.routers : this.host.stores;
      if (owner !== undefined || registry.has(id)) {
        throw new PluginLoadError(
          'duplicate-id',
          plugin.name,
          `The plugin '${plugin.name}' registers a ${kind} '${id}', but ${owner ? `the plugin '${owner}'` : 'llmux'} already registered one with that id. ` +
            'Remove one of the two plugins from `plugins`.',
        );
      }
      this.owners.set(key, plugin.name);
    };
    return {
      options,
      logger: this.host.logger.child({ plugin: plugin.name }),
      container: this.host.container.createChildContainer(),
      hostVersion: LLMUX_CORE_VERSION,
      registerBackend: (backend) => {
        claim('backend', backend.id);
        this.host.backends.register(backend);
        info.backends.push(backend.id);
      },
      registerRouter: (router) => {
        claim('router', router.id);
        this.host.routers.register(router);
        info.routers.push(router.id);
      },
      registerStore: (store) => {
        claim('store', store.id);
        this.host.stores.register(store);
        info.stores.push(store.id);
      },
    };
  }
}

function causeText(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code ? `${error.message} (${code})` : error.message;
  }
  return String(error);
}
