import { mkdir, rm, stat, symlink, writeFile, copyFile } from 'node:fs/promises';
import path from 'node:path';
import { downloadFile, listFiles, modelInfo, type ListFileEntry } from '@huggingface/hub';
import { DownloadError, ErrorCodes, InvalidRequestError, LlmuxError, type PullProgress } from '@llmux/core';
import { repoCachePaths } from './cache-layout.js';
import { downloadBlob, type ExpectedFile } from './download-blob.js';
import type { ModelRef } from './model-ref.js';
import { isGguf, isLaterShard, isMlxFolder, quantOfFile } from './repo-files.js';

export interface HubAccess {
  hubUrl: string;
  /** `HF_TOKEN`; sent to the hub only, never logged. */
  accessToken?: string;
}

export interface PullRepoOptions {
  signal?: AbortSignal;
  onProgress?: (progress: PullProgress) => void;
}

/**
 * Downloads what a hub reference names into the cache: the tree listing gives each file's size
 * and hash; each file lands verified in `blobs/`, then is linked from `snapshots/<commit>/`, and
 * `refs/main` is written last, so the cache never shows a model whose files are not all there.
 * Returns the snapshot folder.
 */
export async function pullRepo(cacheDir: string, ref: Extract<ModelRef, { kind: 'hub' }>, access: HubAccess, options: PullRepoOptions = {}): Promise<string> {
  const credentials = { hubUrl: access.hubUrl, ...(access.accessToken ? { accessToken: access.accessToken } : {}) };
  const commit = await resolveCommit(ref.repo, credentials);
  const listing: ListFileEntry[] = [];
  for await (const entry of listFiles({ repo: ref.repo, recursive: true, revision: commit, ...credentials })) {
    if (entry.type === 'file') listing.push(entry);
  }
  const wanted = selectFiles(ref, listing);
  const paths = repoCachePaths(cacheDir, ref.repo);
  const snapshot = path.join(paths.snapshots, commit);
  await mkdir(paths.blobs, { recursive: true });

  const totalBytes = wanted.reduce((sum, file) => sum + file.size, 0);
  let doneBytes = 0;
  for (const entry of wanted) {
    const expected: ExpectedFile = { path: entry.path, size: entry.size };
    if (entry.lfs) expected.sha256 = entry.lfs.oid;
    else if (entry.oid) expected.gitOid = entry.oid;
    const blobName = expected.sha256 ?? expected.gitOid;
    if (!blobName) throw new DownloadError(`The hub listing gives no hash for ${entry.path}; it cannot be verified.`);
    const blob = path.join(paths.blobs, blobName);
    const report = (receivedBytes: number) =>
      options.onProgress?.({ file: entry.path, receivedBytes, totalBytes: entry.size, overallReceivedBytes: doneBytes + receivedBytes, overallTotalBytes: totalBytes });
    const present = await stat(blob).then((info) => info.size === entry.size, () => false);
    if (!present) {
      await downloadBlob({
        target: blob,
        expected,
        ...(options.signal ? { signal: options.signal } : {}),
        onProgress: report,
        openRange: async (start) => {
          const file = await downloadFile({ repo: ref.repo, path: entry.path, revision: commit, ...credentials });
          if (!file) throw new DownloadError(`The hub has no file ${entry.path} in ${ref.repo}.`);
          return (start > 0 ? file.slice(start) : file).stream();
        },
      });
    } else {
      report(entry.size);
    }
    doneBytes += entry.size;
    await linkIntoSnapshot(snapshot, entry.path, blob);
  }
  await mkdir(paths.refs, { recursive: true });
  await writeFile(path.join(paths.refs, 'main'), commit);
  return snapshot;
}

async function resolveCommit(repo: string, credentials: { hubUrl: string; accessToken?: string }): Promise<string> {
  try {
    const info = await modelInfo({ name: repo, additionalFields: ['sha'], ...credentials });
    const sha = (info as { sha?: unknown }).sha;
    if (typeof sha !== 'string' || !/^[0-9a-f]{40}$/.test(sha)) throw new DownloadError(`The hub gave no commit for ${repo}.`);
    return sha;
  } catch (error) {
    const status = (error as { statusCode?: number }).statusCode;
    // The hub answers 401 for repos that do not exist as well as for private ones it will not show.
    if (status === 404 || status === 401) {
      throw new LlmuxError(ErrorCodes.modelNotFound, `The hub at ${credentials.hubUrl} has no model repo '${repo}' (or it is private and HF_TOKEN does not grant it).`, {
        param: 'model',
        cause: error,
        details: { model: repo, hub: credentials.hubUrl, status },
      });
    }
    if (status === 403) {
      throw new InvalidRequestError(`The hub refuses access to '${repo}': it is gated or private. Accept its terms on the hub and set HF_TOKEN.`, {
        param: 'model',
        cause: error,
      });
    }
    if (error instanceof DownloadError) throw error;
    throw new DownloadError(`Cannot reach the hub at ${credentials.hubUrl} for ${repo}: ${(error as Error).message}`, { cause: error });
  }
}

/** The files a reference needs: one GGUF (with its shards), one quantization, or the whole repo. */
function selectFiles(ref: Extract<ModelRef, { kind: 'hub' }>, listing: readonly ListFileEntry[]): ListFileEntry[] {
  const ggufs = listing.filter((f) => isGguf(f.path));
  if (ref.file) {
    const file = listing.find((f) => f.path === ref.file);
    if (!file) throw new InvalidRequestError(`${ref.repo} has no file '${ref.file}'. GGUF files: ${ggufs.map((f) => f.path).join(', ') || 'none'}.`, { param: 'model' });
    return [file, ...shardsOf(file.path, listing)];
  }
  if (ref.quant) {
    const quant = ref.quant.toUpperCase();
    const matches = ggufs.filter((f) => quantOfFile(f.path) === quant);
    if (matches.length === 0) {
      const quants = [...new Set(ggufs.map((f) => quantOfFile(f.path)).filter(Boolean))];
      throw new InvalidRequestError(`${ref.repo} has no ${quant} GGUF. Quantizations there: ${quants.join(', ') || 'none'}.`, { param: 'model' });
    }
    return matches;
  }
  if (isMlxFolder(listing.map((f) => f.path))) return [...listing];
  const models = ggufs.filter((f) => !isLaterShard(f.path));
  if (models.length === 1) return [models[0]!, ...shardsOf(models[0]!.path, listing)];
  if (models.length === 0) throw new InvalidRequestError(`${ref.repo} holds neither GGUF files nor an MLX/safetensors model.`, { param: 'model' });
  const quants = models.map((f) => quantOfFile(f.path) ?? f.path);
  throw new InvalidRequestError(`${ref.repo} holds ${models.length} GGUF files; name one: ${quants.map((q) => `${ref.repo}:${q}`).join(', ')}.`, { param: 'model' });
}

function shardsOf(first: string, listing: readonly ListFileEntry[]): ListFileEntry[] {
  const match = /^(.*)-00001-of-(\d{5})\.gguf$/i.exec(first);
  if (!match) return [];
  return listing.filter((f) => f.path !== first && f.path.startsWith(`${match[1]}-`) && f.path.endsWith(`-of-${match[2]}.gguf`));
}

/** `snapshots/<commit>/<file>` -> `../../blobs/<hash>` (relative, as huggingface_hub links); a copy where links are not allowed. */
async function linkIntoSnapshot(snapshot: string, file: string, blob: string): Promise<void> {
  const link = path.join(snapshot, ...file.split('/'));
  await mkdir(path.dirname(link), { recursive: true });
  await rm(link, { force: true });
  try {
    await symlink(path.relative(path.dirname(link), blob), link);
  } catch {
    await copyFile(blob, link);
  }
}
