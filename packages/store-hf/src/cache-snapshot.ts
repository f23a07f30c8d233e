import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { repoCachePaths, repoFromFolderName } from './cache-layout.js';

/** The snapshot folder of a cached repo at `revision` (default `main`), or undefined when none is cached. */
export async function snapshotDir(cacheDir: string, repo: string, revision = 'main'): Promise<string | undefined> {
  const paths = repoCachePaths(cacheDir, repo);
  const commit = /^[0-9a-f]{40}$/.test(revision)
    ? revision
    : await readFile(path.join(paths.refs, revision), 'utf8').then((text) => text.trim(), () => undefined);
  if (commit) {
    const dir = path.join(paths.snapshots, commit);
    if (await isDir(dir)) return dir;
  }
  // No ref (a cache filled by hand or by another tool): the most recently written snapshot.
  const entries = await readdir(paths.snapshots, { withFileTypes: true }).catch(() => []);
  let newest: { dir: string; mtime: number } | undefined;
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const dir = path.join(paths.snapshots, entry.name);
    const mtime = (await stat(dir)).mtimeMs;
    if (!newest || mtime > newest.mtime) newest = { dir, mtime };
  }
  return newest?.dir;
}

/** Files of a snapshot, as repo-relative paths with `/`, following the links into `blobs/`. Dangling links are skipped. */
export async function snapshotFiles(dir: string): Promise<{ path: string; size: number }[]> {
  const files: { path: string; size: number }[] = [];
  const walk = async (relative: string): Promise<void> => {
    for (const entry of await readdir(path.join(dir, relative), { withFileTypes: true })) {
      const child = relative ? `${relative}/${entry.name}` : entry.name;
      const info = await stat(path.join(dir, child)).catch(() => undefined);
      if (!info) continue;
      if (info.isDirectory()) await walk(child);
      else files.push({ path: child, size: info.size });
    }
  };
  await walk('');
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

/** Repos in the cache (model repos only). */
export async function cachedRepos(cacheDir: string): Promise<string[]> {
  const entries = await readdir(cacheDir, { withFileTypes: true }).catch(() => []);
  return entries.flatMap((entry) => {
    const repo = entry.isDirectory() ? repoFromFolderName(entry.name) : undefined;
    return repo ? [repo] : [];
  });
}

async function isDir(dir: string): Promise<boolean> {
  return stat(dir).then((info) => info.isDirectory(), () => false);
}
