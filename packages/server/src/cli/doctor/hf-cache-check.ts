import { constants, existsSync } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import type { LlmuxConfig } from '@llmux/core';
import { hubCacheDir } from '@llmux/store-hf';
import { fail, ok, type CheckResult } from './check-result.js';

/** The hub cache `llmux pull` writes to: it exists and is writable, or its nearest existing parent is. */
export async function checkHfCache(config: LlmuxConfig, env: NodeJS.ProcessEnv = process.env): Promise<CheckResult> {
  const dir = hubCacheDir(config.store.cacheDir, env);
  let existing = dir;
  while (!existsSync(existing) && path.dirname(existing) !== existing) existing = path.dirname(existing);
  try {
    if (!(await stat(existing)).isDirectory()) return fail('hf cache', `${existing} is a file, not a folder`, 'remove it, or set store.cacheDir (or HF_HUB_CACHE) to a folder');
    await access(existing, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch {
    return fail('hf cache', `${existing} is not writable by this user (cache: ${dir})`, `fix its owner (sudo chown -R "$USER" '${existing}') or set store.cacheDir / HF_HUB_CACHE to a folder you own`);
  }
  return ok('hf cache', existing === dir ? `${dir} (writable)` : `${dir} (created on the first pull; ${existing} is writable)`);
}
