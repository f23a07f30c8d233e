import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** The conditions llmux imports under (it is an ESM program on Node). */
const CONDITIONS = ['import', 'node', 'default'];

/**
 * The folder of an installed package, searched the way Node does from `fromDir` (its
 * `node_modules` folders up to the root, then the global folders); undefined when absent.
 */
export function findPackageDir(name: string, fromDir: string): string | undefined {
  const lookup = createRequire(path.join(fromDir, 'noop.js')).resolve.paths(name) ?? [];
  for (const folder of lookup) {
    const dir = path.join(folder, name);
    if (existsSync(path.join(dir, 'package.json'))) return dir;
  }
  return undefined;
}

/**
 * The file a package folder's root import loads: its `exports` root (under the import/node/default
 * conditions), else `main`, else `index.js`. A plain file is its own entry.
 */
export function packageEntry(target: string): string {
  if (statSync(target).isFile()) return target;
  const manifestPath = path.join(target, 'package.json');
  if (!existsSync(manifestPath)) return path.join(target, 'index.js');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { exports?: unknown; main?: unknown };
  const fromExports = manifest.exports === undefined ? undefined : exportsRoot(manifest.exports);
  if (manifest.exports !== undefined && fromExports === undefined) {
    throw new Error(`${manifestPath} has an "exports" map without a root entry for import.`);
  }
  const relative = fromExports ?? (typeof manifest.main === 'string' ? manifest.main : 'index.js');
  return path.resolve(target, relative);
}

function exportsRoot(exports: unknown): string | undefined {
  if (typeof exports === 'string') return exports;
  if (Array.isArray(exports)) {
    for (const item of exports) {
      const found = exportsRoot(item);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof exports !== 'object' || exports === null) return undefined;
  const map = exports as Record<string, unknown>;
  if ('.' in map) return exportsRoot(map['.']);
  for (const condition of CONDITIONS) if (condition in map) return exportsRoot(map[condition]);
  return undefined;
}
