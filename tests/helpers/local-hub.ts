import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { MODELS_DIR } from './test-server.js';

/** One file of a repo on the local hub. */
export interface HubFile {
  path: string;
  content: Buffer;
  /** Stored with Git LFS: the listing gives its SHA-256 (as the real hub does for weights). */
  lfs: boolean;
  /** Served instead of `content` (the listing still describes `content`): a corrupted download. */
  served?: Buffer;
  /** The next full-content responses (as many as the array has) close the connection after this many bytes. */
  dropAfter?: number[];
  /** Sends the body in 64 KiB pieces with this pause between them (to abort mid-file). */
  throttleMs?: number;
}

export interface HubRequest {
  method: string;
  url: string;
  range?: string;
  authorization?: string;
}

export interface LocalHub {
  url: string;
  requests: HubRequest[];
  repos: Map<string, { sha: string; files: HubFile[] }>;
  close(): Promise<void>;
}

const gitOid = (content: Buffer) => createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
const sha256 = (content: Buffer) => createHash('sha256').update(content).digest('hex');

export function lfsFile(file: string, name = path.basename(file)): HubFile {
  return { path: name, content: readFileSync(file), lfs: true };
}

export function textFile(name: string, text: string): HubFile {
  return { path: name, content: Buffer.from(text), lfs: false };
}

/** The bundled MLX folder as a repo: JSON files as plain git files, weights in LFS. */
export function mlxRepoFiles(): HubFile[] {
  const dir = path.join(MODELS_DIR, 'brown-llama-1m-mlx');
  return readdirSync(dir).map((name) => ({ path: name, content: readFileSync(path.join(dir, name)), lfs: name.endsWith('.safetensors') }));
}

/**
 * A loopback HTTP server speaking the parts of the Hugging Face hub API that pulls use:
 * model info (`/api/models/{repo}/revision/{rev}`), the tree listing with LFS hashes
 * (`/api/models/{repo}/tree/{rev}`), and `/{repo}/resolve/{rev}/{file}` with HTTP ranges.
 */
export async function startLocalHub(repos: Record<string, HubFile[]>): Promise<LocalHub> {
  const state = new Map<string, { sha: string; files: HubFile[] }>();
  for (const [repo, files] of Object.entries(repos)) state.set(repo, { sha: sha1Hex(repo), files });
  const requests: HubRequest[] = [];

  const server: Server = createServer((req, res) => {
    requests.push({
      method: req.method ?? 'GET',
      url: req.url ?? '',
      ...(req.headers.range ? { range: req.headers.range } : {}),
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
    });
    handle(state, req, res).catch((error: unknown) => {
      res.statusCode = 500;
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    repos: state,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function sha1Hex(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

async function handle(state: Map<string, { sha: string; files: HubFile[] }>, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://hub');
  const api = /^\/api\/models\/([^/]+\/[^/]+)\/(revision|tree)\/([^/]+)\/?$/.exec(url.pathname);
  if (api) {
    const repo = state.get(decodeURIComponent(api[1]!));
    if (!repo) return notFound(res, 'RepoNotFound');
    res.setHeader('Content-Type', 'application/json');
    if (api[2] === 'revision') {
      res.end(JSON.stringify({ _id: repo.sha.slice(0, 24), id: api[1], sha: repo.sha, private: false, gated: false, downloads: 0, likes: 0, lastModified: new Date(0).toISOString(), siblings: repo.files.map((f) => ({ rfilename: f.path })) }));
      return;
    }
    res.end(
      JSON.stringify(
        repo.files.map((f) => ({
          type: 'file',
          path: f.path,
          size: f.content.length,
          oid: gitOid(f.content),
          ...(f.lfs ? { lfs: { oid: sha256(f.content), size: f.content.length, pointerSize: 134 } } : {}),
        })),
      ),
    );
    return;
  }
  const resolve = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
  if (!resolve) return notFound(res, 'NotFound');
  const repo = state.get(decodeURIComponent(resolve[1]!));
  if (!repo) return notFound(res, 'RepoNotFound');
  const file = repo.files.find((f) => f.path === decodeURIComponent(resolve[3]!));
  if (!file) return notFound(res, 'EntryNotFound');
  const body = file.served ?? file.content;
  res.setHeader('ETag', `"${file.lfs ? sha256(file.content) : gitOid(file.content)}"`);
  res.setHeader('X-Repo-Commit', repo.sha);
  res.setHeader('Accept-Ranges', 'bytes');
  res.setHeader('Content-Type', 'application/octet-stream');
  const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
  let start = 0;
  let end = body.length - 1;
  if (range) {
    start = Number(range[1]);
    end = range[2] ? Math.min(Number(range[2]), body.length - 1) : end;
    res.statusCode = 206;
    res.setHeader('Content-Range', `bytes ${start}-${end}/${body.length}`);
  }
  const slice = body.subarray(start, end + 1);
  res.setHeader('Content-Length', String(slice.length));
  // The one-byte probe the hub client sends first is never dropped or throttled.
  const isProbe = range !== null && start === 0 && end === 0;
  const drop = isProbe ? undefined : file.dropAfter?.shift();
  if (drop !== undefined) {
    res.flushHeaders();
    res.write(slice.subarray(0, drop), () => setTimeout(() => res.destroy(), 20));
    return;
  }
  if (file.throttleMs && !isProbe) {
    for (let offset = 0; offset < slice.length && !res.destroyed; offset += 65536) {
      res.write(slice.subarray(offset, offset + 65536));
      await new Promise((r) => setTimeout(r, file.throttleMs));
    }
    res.end();
    return;
  }
  res.end(slice);
}

function notFound(res: ServerResponse, code: string): void {
  res.statusCode = 404;
  res.setHeader('X-Error-Code', code);
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify({ error: `${code}` }));
}
