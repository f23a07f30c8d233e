import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { setTimeout as sleep } from 'node:timers/promises';
import { AbortedError, DownloadError } from '@llmux/core';

/** What the hub's tree listing says a file must be. */
export interface ExpectedFile {
  /** Repo-relative path. */
  path: string;
  size: number;
  /** For LFS files: the SHA-256 of the content. */
  sha256?: string;
  /** For plain git files: the git blob id (SHA-1 of `blob <size>\0<content>`). */
  gitOid?: string;
}

export interface DownloadBlobOptions {
  /** Opens the file's bytes from `start` to the end. */
  openRange(start: number): Promise<ReadableStream<Uint8Array>>;
  /** Where the verified file goes (`blobs/<etag>`); bytes arrive in `<target>.incomplete` first. */
  target: string;
  expected: ExpectedFile;
  signal?: AbortSignal;
  onProgress?: (receivedBytes: number) => void;
  /** Reconnects after a dropped connection before giving up. */
  maxRetries?: number;
}

/**
 * Downloads one file into `<target>.incomplete`, resuming from what an earlier, interrupted attempt
 * left there, verifies size and hash, then renames it to `target`. A file that fails verification
 * is deleted; an aborted or failed transfer keeps its `.incomplete` bytes for the next attempt
 * (as huggingface_hub does) and never appears under the final name.
 */
export async function downloadBlob(options: DownloadBlobOptions): Promise<void> {
  const { expected, target } = options;
  const partial = `${target}.incomplete`;
  const hash = newHash(expected);
  let received = await stat(partial).then((info) => info.size, () => 0);
  if (received > expected.size) {
    await rm(partial, { force: true });
    received = 0;
  }
  if (received > 0) await hashExisting(partial, hash);
  options.onProgress?.(received);

  const maxRetries = options.maxRetries ?? 5;
  let failures = 0;
  const progress = { received };
  while (progress.received < expected.size) {
    if (options.signal?.aborted) throw new AbortedError(`The download of ${expected.path} was aborted; it resumes on the next pull.`);
    const before = progress.received;
    try {
      await appendRange(options, partial, progress, hash);
    } catch (error) {
      // The file holds exactly the bytes hashed so far, whatever the failure interrupted.
      await truncate(partial, progress.received);
      if (options.signal?.aborted) throw new AbortedError(`The download of ${expected.path} was aborted; it resumes on the next pull.`, { cause: error });
      // Progress resets the count: only a connection that keeps failing without moving gives up.
      failures = progress.received > before ? 1 : failures + 1;
      if (failures > maxRetries) {
        throw new DownloadError(`Downloading ${expected.path} failed after ${maxRetries} retries: ${describe(error)}. Run the pull again to resume.`, { cause: error });
      }
      await sleep(Math.min(2000, 100 * 2 ** failures), undefined, options.signal ? { signal: options.signal } : {}).catch(() => undefined);
    }
  }
  received = progress.received;
  if (received !== expected.size) {
    await rm(partial, { force: true });
    throw new DownloadError(`${expected.path} is ${received} bytes, but the hub lists ${expected.size}; the download was discarded.`);
  }
  const digest = hash.digest('hex');
  const wanted = expected.sha256 ?? expected.gitOid;
  if (wanted && digest !== wanted) {
    await rm(partial, { force: true });
    const kind = expected.sha256 ? 'SHA-256' : 'git blob id';
    throw new DownloadError(`${expected.path} failed verification: its ${kind} is ${digest}, the hub says ${wanted}. The download was discarded.`, {
      details: { file: expected.path, expected: wanted, actual: digest },
    });
  }
  await rename(partial, target);
}

function newHash(expected: ExpectedFile): Hash {
  if (expected.sha256) return createHash('sha256');
  const hash = createHash('sha1');
  hash.update(`blob ${expected.size}\0`);
  return hash;
}

async function hashExisting(file: string, hash: Hash): Promise<void> {
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
}

/** Appends the bytes from `progress.received` on to the partial file. Throws when the stream breaks. */
async function appendRange(options: DownloadBlobOptions, partial: string, progress: { received: number }, hash: Hash): Promise<void> {
  const handle = await open(partial, 'a');
  try {
    const web = (await options.openRange(progress.received)) as WebReadableStream<Uint8Array>;
    const body = Readable.fromWeb(web, options.signal ? { signal: options.signal } : {});
    for await (const chunk of body) {
      const bytes = chunk as Buffer;
      // Never write past the listed size: a server that ignored the range would corrupt the file.
      const room = options.expected.size - progress.received;
      const slice = bytes.length > room ? bytes.subarray(0, room) : bytes;
      await handle.write(slice);
      hash.update(slice);
      progress.received += slice.length;
      options.onProgress?.(progress.received);
      if (room <= bytes.length) break;
    }
  } finally {
    await handle.close();
  }
  if (progress.received < options.expected.size) {
    throw new Error(`the connection closed at byte ${progress.received} of ${options.expected.size}`);
  }
}

async function truncate(file: string, size: number): Promise<void> {
  const handle = await open(file, 'r+').catch(() => undefined);
  if (!handle) return;
  try {
    await handle.truncate(size);
  } finally {
    await handle.close();
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return `${error.message}${cause}`;
}
