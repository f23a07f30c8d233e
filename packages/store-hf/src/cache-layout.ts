import { homedir } from 'node:os';
import path from 'node:path';

/**
 * The Hugging Face hub cache folder, as `huggingface_hub` finds it: an explicit folder, else
 * `$HF_HUB_CACHE`, else `$HF_HOME/hub`, else `~/.cache/huggingface/hub` (`$XDG_CACHE_HOME` honoured).
 */
export function hubCacheDir(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit) return path.resolve(expandHome(explicit));
  if (env.HF_HUB_CACHE) return path.resolve(expandHome(env.HF_HUB_CACHE));
  if (env.HF_HOME) return path.resolve(expandHome(env.HF_HOME), 'hub');
  const cacheHome = env.XDG_CACHE_HOME ? expandHome(env.XDG_CACHE_HOME) : path.join(homedir(), '.cache');
  return path.join(cacheHome, 'huggingface', 'hub');
}

/** `org/name` -> `models--org--name` (the cache folder of a model repo). */
export function repoFolderName(repo: string): string {
  return `models--${repo.split('/').join('--')}`;
}

/** `models--org--name` -> `org/name`; undefined for folders of other kinds (datasets, spaces). */
export function repoFromFolderName(folder: string): string | undefined {
  if (!folder.startsWith('models--')) return undefined;
  return folder.slice('models--'.length).split('--').join('/');
}

/** The paths of one repo in the cache. */
export interface RepoCachePaths {
  root: string;
  blobs: string;
  snapshots: string;
  refs: string;
}

export function repoCachePaths(cacheDir: string, repo: string): RepoCachePaths {
  const root = path.join(cacheDir, repoFolderName(repo));
  return { root, blobs: path.join(root, 'blobs'), snapshots: path.join(root, 'snapshots'), refs: path.join(root, 'refs') };
}

export function expandHome(value: string): string {
  return value === '~' || value.startsWith('~/') ? path.join(homedir(), value.slice(1)) : value;
}
