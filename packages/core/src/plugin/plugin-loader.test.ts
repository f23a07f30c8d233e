import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { container } from '../di/index.js';
import type { Backend } from '../contracts/backend.js';
import type { ModelStore } from '../contracts/model-store.js';
import type { Router } from '../contracts/router.js';
import { silentLogger } from '../logging/logger.js';
import { Registry } from '../registry/registry.js';
import { MockBackend } from '../testing/mock-backend.js';
import { definePlugin } from './define-plugin.js';
import { PluginLoader } from './plugin-loader.js';
import { PluginLoadError } from './plugin-load-error.js';
import { toPluginSpecifier } from './plugin-specifier.js';
import { z } from 'zod';

/** A plugin module's source: a plain object of the plugin shape (no import of core needed). */
const pluginSource = (name: string, llmux: string, backendId: string) => `
export default {
  name: '${name}',
  version: '1.2.3',
  llmux: '${llmux}',
  register(ctx) {
    ctx.registerBackend({ specificationVersion: 'v1', id: '${backendId}', capabilities: { formats: ['custom'], platforms: [] } });
  },
};
`;

let project: string;

async function writePackage(name: string, files: Record<string, string>, manifest: Record<string, unknown> = {}) {
  const dir = path.join(project, 'node_modules', name);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name, version: '1.2.3', type: 'module', main: 'index.js', ...manifest }));
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), text);
  }
}

function newLoader() {
  const host = {
    backends: new Registry<Backend>('backend'),
    routers: new Registry<Router>('router'),
    stores: new Registry<ModelStore>('store'),
    container: container.createChildContainer(),
    logger: silentLogger(),
  };
  return { host, loader: new PluginLoader(host, { cwd: project, installPaths: [] }) };
}

async function failure(promise: Promise<unknown>): Promise<PluginLoadError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(PluginLoadError);
  return error as PluginLoadError;
}

beforeAll(async () => {
  project = await mkdtemp(path.join(os.tmpdir(), 'llmux-plugins-'));
  await writePackage('llmux-plugin-good', { 'index.js': pluginSource('llmux-plugin-good', '^1.0.0', 'good') });
  await writePackage('llmux-plugin-twin', { 'index.js': pluginSource('llmux-plugin-twin', '^1.0.0', 'good') });
  await writePackage('llmux-plugin-broken', { 'index.js': "import './missing-helper.js';\nexport default {};\n" });
  await writePackage('llmux-plugin-throws', { 'index.js': "throw new Error('database URL is not set');\n" });
  await writePackage('llmux-plugin-shapeless', { 'index.js': 'export default { name: "shapeless", run() {} };\n' });
  await writePackage('llmux-plugin-future', { 'index.js': pluginSource('llmux-plugin-future', '^2.0.0', 'future') });
  await writePackage('@acme/llmux-backend', { 'dist/main.js': pluginSource('@acme/llmux-backend', '>=1.0.0 <3', 'acme') }, {
    main: undefined,
    exports: { '.': { types: './dist/main.d.ts', import: './dist/main.js' } },
  });
  await mkdir(path.join(project, 'local'), { recursive: true });
  await writeFile(path.join(project, 'local', 'plugin.mjs'), pluginSource('local-plugin', '1.x', 'local'));
});

afterAll(async () => {
  await rm(project, { recursive: true, force: true });
});

describe('plugin names', () => {
  it('adds the llmux-plugin- prefix to short names and keeps scoped names and paths', () => {
    expect(toPluginSpecifier('foo', '/p')).toEqual({ kind: 'package', name: 'llmux-plugin-foo' });
    expect(toPluginSpecifier('llmux-plugin-foo', '/p')).toEqual({ kind: 'package', name: 'llmux-plugin-foo' });
    expect(toPluginSpecifier('@acme/foo', '/p')).toEqual({ kind: 'package', name: '@acme/foo' });
    expect(toPluginSpecifier('./x/y.js', '/p')).toEqual({ kind: 'path', path: path.resolve('/p/x/y.js') });
    expect(toPluginSpecifier('/abs/z', '/p')).toEqual({ kind: 'path', path: path.resolve('/abs/z') });
  });
});

describe('PluginLoader', () => {
  it('loads by short name, scoped name (exports map) and local path, and registers what they provide', async () => {
    const { host, loader } = newLoader();
    const infos = await loader.loadAll(['good', '@acme/llmux-backend', { name: './local/plugin.mjs' }]);
    expect(infos.map((info) => info.name)).toEqual(['llmux-plugin-good', '@acme/llmux-backend', 'local-plugin']);
    expect(infos[1]!.source).toBe(path.join(project, 'node_modules/@acme/llmux-backend/dist/main.js'));
    expect(host.backends.ids()).toEqual(['good', 'acme', 'local']);
  });

  it('says how to install a plugin that is not installed', async () => {
    const error = await failure(newLoader().loader.load('nope'));
    expect(error.reason).toBe('not-installed');
    expect(error.message).toContain("The plugin 'llmux-plugin-nope' is not installed");
    expect(error.message).toContain('npm install llmux-plugin-nope');
    const missingPath = await failure(newLoader().loader.load('./nowhere/plugin.js'));
    expect(missingPath.reason).toBe('not-installed');
    expect(missingPath.message).toContain(path.join(project, 'nowhere/plugin.js'));
  });

  it('gives the real cause when an installed plugin fails to import', async () => {
    const thrown = await failure(newLoader().loader.load('throws'));
    expect(thrown.reason).toBe('import-failed');
    expect(thrown.message).toMatch(/'throws' is installed \(.*llmux-plugin-throws.index\.js\) but failed to import: database URL is not set/);
    const broken = await failure(newLoader().loader.load('broken'));
    expect(broken.reason).toBe('import-failed');
    expect(broken.message).toContain('missing-helper.js');
    expect(broken.message).toContain('ERR_MODULE_NOT_FOUND');
  });

  it('refuses a module that is not a llmux plugin, listing what is wrong', async () => {
    const error = await failure(newLoader().loader.load('shapeless'));
    expect(error.reason).toBe('not-a-plugin');
    expect(error.message).toContain("'shapeless' (");
    expect(error.message).toContain('is not a llmux plugin: `version` must be a string');
    expect(error.message).toContain('`register` must be a function');
    expect(error.message).toContain('export default definePlugin(');
  });

  it('refuses a plugin made for another host version, naming both versions', async () => {
    const error = await failure(newLoader().loader.load('future'));
    expect(error.reason).toBe('incompatible-version');
    expect(error.message).toContain("'llmux-plugin-future' 1.2.3 supports llmux core ^2.0.0, but this llmux has core 1.0.0");
    expect(error.message).toContain('e.g. ^1.0.0');
  });

  it('refuses a duplicate plugin id and a duplicate backend id', async () => {
    const { loader } = newLoader();
    await loader.load('good');
    const twice = await failure(loader.load('llmux-plugin-good'));
    expect(twice.reason).toBe('duplicate-id');
    expect(twice.message).toContain("The plugin id 'llmux-plugin-good' is loaded twice");
    const clash = await failure(loader.load('twin'));
    expect(clash.reason).toBe('duplicate-id');
    expect(clash.message).toContain("registers a backend 'good', but the plugin 'llmux-plugin-good' already registered one");
  });

  it('validates options with the plugin schema and hands the plugin a child logger and container', async () => {
    const { host, loader } = newLoader();
    let seen: { options: unknown; container: unknown } | undefined;
    const plugin = definePlugin({
      name: 'inline',
      version: '0.0.1',
      llmux: '^1.0.0',
      options: z.object({ delayMs: z.number().int().min(0).default(5) }),
      register(ctx) {
        seen = { options: ctx.options, container: ctx.container };
        ctx.registerBackend(new MockBackend({ id: 'inline', tokenDelayMs: ctx.options.delayMs }));
      },
    });
    await loader.register('inline', { default: plugin }, {}, 'test');
    expect(seen?.options).toEqual({ delayMs: 5 });
    expect(seen?.container).not.toBe(host.container);
    expect(host.backends.has('inline')).toBe(true);
    const bad = await failure(newLoader().loader.register('inline', { default: plugin }, { delayMs: -1 }, 'test'));
    expect(bad.reason).toBe('invalid-options');
    expect(bad.message).toContain('plugins.inline.options.delayMs');
  });
});
