import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AbortedError, DownloadError, createLogger, parseConfig, silentLogger, type LlmuxConfigInput, type PullProgress } from '@llmux/core';
import { HfCacheStore, hubCacheDir } from '@llmux/store-hf';
import { MODELS_DIR } from './helpers/test-server.js';
import { lfsFile, mlxRepoFiles, startLocalHub, textFile, type LocalHub } from './helpers/local-hub.js';

const GGUF_REPO = 'llmux-test/brown-llama-1m-GGUF';
const MLX_REPO = 'llmux-test/brown-llama-1m-mlx';
const Q8 = path.join(MODELS_DIR, 'brown-llama-1m-Q8_0.gguf');
const F16 = path.join(MODELS_DIR, 'brown-llama-1m-F16.gguf');

let hub: LocalHub;
let cacheDir: string;

function store(input: LlmuxConfigInput = {}, env: NodeJS.ProcessEnv = {}, logger = silentLogger()) {
  const config = parseConfig({ ...input, store: { cacheDir, hfEndpoint: hub.url, aliasesFile: path.join(cacheDir, 'no-aliases.json'), ...input.store } });
  return new HfCacheStore({ config, logger, env });
}

/** Every path under the repo's cache folder, relative to it. */
function cacheTree(repo: string): string[] {
  const root = path.join(cacheDir, `models--${repo.replace('/', '--')}`);
  if (!existsSync(root)) return [];
  return (readdirSync(root, { recursive: true }) as string[]).map((p) => p.split(path.sep).join('/')).sort();
}

beforeAll(async () => {
  hub = await startLocalHub({
    [GGUF_REPO]: [lfsFile(Q8), lfsFile(F16), textFile('README.md', '# brown-llama-1m\n')],
    [MLX_REPO]: mlxRepoFiles(),
  });
});
afterAll(() => hub.close());
beforeEach(async () => {
  cacheDir = await mkdtemp(path.join(tmpdir(), 'llmux-hub-cache-'));
});
afterEach(async () => {
  await rm(cacheDir, { recursive: true, force: true });
  hub.requests.length = 0;
});

describe('Hugging Face cache store against a local hub', () => {
  it('finds the cache as huggingface_hub does', () => {
    expect(hubCacheDir(undefined, { HF_HUB_CACHE: '/x/hub-cache', HF_HOME: '/y' })).toBe('/x/hub-cache');
    expect(hubCacheDir(undefined, { HF_HOME: '/y' })).toBe('/y/hub');
    expect(hubCacheDir(undefined, { XDG_CACHE_HOME: '/z' })).toBe('/z/huggingface/hub');
    expect(hubCacheDir('/explicit', { HF_HOME: '/y' })).toBe('/explicit');
  });

  it('pulls one quantization into the cache layout, verified, with progress, and lists it with its metadata', async () => {
    const s = store();
    const progress: PullProgress[] = [];
    const location = await s.pull(`${GGUF_REPO}:q8_0`, { onProgress: (p) => progress.push(p) });
    const sha = hub.repos.get(GGUF_REPO)!.sha;
    const q8sum = '45eba02df5645db3bf9291efdda368e42ee9831cb0e5de404efa391e1b1cec18';
    expect(location).toEqual({ id: `${GGUF_REPO}:Q8_0`, format: 'gguf', path: path.join(cacheDir, 'models--llmux-test--brown-llama-1m-GGUF', 'snapshots', sha, 'brown-llama-1m-Q8_0.gguf') });
    expect(cacheTree(GGUF_REPO)).toEqual(['blobs', `blobs/${q8sum}`, 'refs', 'refs/main', 'snapshots', `snapshots/${sha}`, `snapshots/${sha}/brown-llama-1m-Q8_0.gguf`]);
    expect(readlinkSync(location.path)).toBe(`../../blobs/${q8sum}`);
    expect(readFileSync(path.join(cacheDir, 'models--llmux-test--brown-llama-1m-GGUF', 'refs', 'main'), 'utf8')).toBe(sha);
    const size = readFileSync(Q8).length;
    expect(progress.at(-1)).toMatchObject({ file: 'brown-llama-1m-Q8_0.gguf', receivedBytes: size, totalBytes: size, overallReceivedBytes: size });
    expect(progress.map((p) => p.receivedBytes)).toEqual([...progress.map((p) => p.receivedBytes)].sort((a, b) => a - b));

    const list = await s.list();
    expect(list).toEqual([
      { id: `${GGUF_REPO}:Q8_0`, format: 'gguf', path: location.path, sizeBytes: size, aliases: [], architecture: 'llama', quantization: 'Q8_0', contextLength: 256 },
    ]);
    expect(await s.resolve(`${GGUF_REPO}/brown-llama-1m-Q8_0.gguf`)).toMatchObject({ format: 'gguf', path: location.path });
    // A second pull finds the verified blob and downloads nothing.
    const before = hub.requests.filter((r) => r.url.includes('/resolve/')).length;
    await s.pull(`${GGUF_REPO}:Q8_0`);
    expect(hub.requests.filter((r) => r.url.includes('/resolve/')).length).toBe(before);
  });

  it('pulls a whole MLX repo, checking plain git files by their blob id, and reads config.json', async () => {
    const s = store();
    const location = await s.pull(MLX_REPO);
    expect(location.format).toBe('mlx');
    expect(readdirSync(location.path).sort()).toEqual(readdirSync(path.join(MODELS_DIR, 'brown-llama-1m-mlx')).sort());
    const [info] = await s.list();
    expect(info).toMatchObject({ id: MLX_REPO, format: 'mlx', architecture: 'llama', contextLength: 256 });
    expect(info!.sizeBytes).toBeGreaterThan(2_000_000);
  });

  it('rejects a file whose bytes do not match the hub hash and leaves nothing of it in the cache', async () => {
    const corrupted = Buffer.from(readFileSync(Q8));
    corrupted[corrupted.length - 100] ^= 0xff;
    hub.repos.set('llmux-test/corrupted', { sha: 'c'.repeat(40), files: [{ ...lfsFile(Q8), served: corrupted }] });
    const error = await store().pull('llmux-test/corrupted').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DownloadError);
    expect((error as Error).message).toMatch(/brown-llama-1m-Q8_0\.gguf failed verification: its SHA-256 is [0-9a-f]{64}, the hub says 45eba02d/);
    expect(cacheTree('llmux-test/corrupted')).toEqual(['blobs']);
    await expect(store().resolve('llmux-test/corrupted')).rejects.toThrow(/not in the local cache.*llmux pull llmux-test\/corrupted/);
  });

  it('says so when the hub has no such repo', async () => {
    await expect(store().pull('llmux-test/missing:Q8_0')).rejects.toMatchObject({
      code: 'model_not_found',
      message: expect.stringMatching(/has no model repo 'llmux-test\/missing'/),
    });
    expect(existsSync(path.join(cacheDir, 'models--llmux-test--missing'))).toBe(false);
  });

  it('resumes with an HTTP range after the connection drops mid-file', async () => {
    const file = lfsFile(F16);
    // Two drops: after 700,000 bytes of the first response, and 1,500,000 bytes into the resumed one.
    file.dropAfter = [700_000, 1_500_000];
    hub.repos.set('llmux-test/flaky', { sha: 'f'.repeat(40), files: [file] });
    const location = await store().pull('llmux-test/flaky');
    expect(readFileSync(location.path).equals(readFileSync(F16))).toBe(true);
    const ranges = hub.requests.filter((r) => r.url.includes('/resolve/') && r.range !== 'bytes=0-0').map((r) => r.range);
    expect(ranges).toHaveLength(3);
    expect(ranges[0]).toBeUndefined();
    // Each retry asks for the rest of the file from what arrived (a reset can lose bytes in flight, never add them).
    const starts = ranges.slice(1).map((range) => {
      const match = new RegExp(`^bytes=(\\d+)-${file.content.length - 1}$`).exec(range ?? '');
      expect(match).not.toBeNull();
      return Number(match![1]);
    });
    expect(starts[0]).toBeGreaterThan(0);
    expect(starts[0]).toBeLessThanOrEqual(700_000);
    expect(starts[1]).toBeGreaterThan(starts[0]!);
    expect(starts[1]).toBeLessThanOrEqual(starts[0]! + 1_500_000);
  });

  it('on abort keeps only an .incomplete blob, and the next pull resumes from it', async () => {
    const file = lfsFile(F16);
    file.throttleMs = 30;
    hub.repos.set('llmux-test/slow', { sha: 'a'.repeat(40), files: [file] });
    const controller = new AbortController();
    const aborted = store().pull('llmux-test/slow', {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.receivedBytes >= 300_000) controller.abort();
      },
    });
    await expect(aborted).rejects.toBeInstanceOf(AbortedError);
    const tree = cacheTree('llmux-test/slow');
    expect(tree).toHaveLength(2);
    expect(tree[1]).toMatch(/^blobs\/[0-9a-f]{64}\.incomplete$/);
    await expect(store().resolve('llmux-test/slow')).rejects.toThrow(/not in the local cache/);

    file.throttleMs = 0;
    hub.requests.length = 0;
    const location = await store().pull('llmux-test/slow');
    expect(readFileSync(location.path).equals(readFileSync(F16))).toBe(true);
    const resumed = hub.requests.find((r) => r.url.includes('/resolve/') && r.range !== 'bytes=0-0');
    expect(resumed?.range).toMatch(/^bytes=([3-9]\d{5}|1\d{6})-/);
  });

  it('resolves aliases from config and the alias file, local paths, and says what to do when a name is ambiguous', async () => {
    const aliasesFile = path.join(cacheDir, 'aliases.json');
    await writeFile(aliasesFile, JSON.stringify({ 'brown:q8': `${GGUF_REPO}:Q8_0`, 'brown:f16': `${GGUF_REPO}:F16` }));
    const s = store({ store: { aliasesFile, aliases: { 'brown:f16': `${GGUF_REPO}/brown-llama-1m-F16.gguf` } } });
    await s.pull('brown:q8');
    await s.pull('brown:f16');
    expect(await s.resolve('brown:q8')).toMatchObject({ id: `${GGUF_REPO}:Q8_0` });
    expect(await s.resolve('brown:f16')).toMatchObject({ id: `${GGUF_REPO}/brown-llama-1m-F16.gguf` });
    expect((await s.list()).map((m) => [m.id, m.aliases])).toEqual([
      [`${GGUF_REPO}:F16`, []],
      [`${GGUF_REPO}:Q8_0`, ['brown:q8']],
    ]);
    await expect(s.resolve(GGUF_REPO)).rejects.toThrow(/has 2 GGUF files in the cache; name one/);
    expect(await s.resolve(Q8)).toEqual({ id: Q8, format: 'gguf', path: Q8 });
    expect(await s.resolve(path.join(MODELS_DIR, 'brown-llama-1m-mlx'))).toMatchObject({ format: 'mlx' });
    await expect(s.resolve('nothing-like-this')).rejects.toThrow(/does not exist/);
  });

  it('serves configured models with hf: sources from the cache under their configured id', async () => {
    const s = store({ models: { brown: { source: `hf:${GGUF_REPO}:Q8_0`, aliases: ['b'] }, local: { source: Q8 } } });
    await expect(s.resolve('brown')).rejects.toThrow(/Pull it first/);
    await s.pull('b');
    expect(await s.resolve('b')).toMatchObject({ id: 'brown', format: 'gguf' });
    expect((await s.list()).map((m) => m.id)).toEqual(['brown', 'local', `${GGUF_REPO}:Q8_0`]);
  });

  it('removes one quantization and its blob, keeping the other', async () => {
    const s = store();
    await s.pull(`${GGUF_REPO}:Q8_0`);
    await s.pull(`${GGUF_REPO}:F16`);
    await s.remove(`${GGUF_REPO}:Q8_0`);
    expect((await s.list()).map((m) => m.id)).toEqual([`${GGUF_REPO}:F16`]);
    expect(cacheTree(GGUF_REPO).filter((p) => p.startsWith('blobs/'))).toEqual(['blobs/40cd20bfc9530d8c40d3cb5bb802ac7275cb0d07a21f1352cd5128fe8661bad7']);
    await s.remove(`${GGUF_REPO}:F16`);
    expect(cacheTree(GGUF_REPO)).toEqual([]);
  });

  it('sends HF_TOKEN to the hub only as a bearer token and never logs it', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'trace', destination: new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) }) });
    const token = 'hf_secretTestToken1234567890';
    await store({}, { HF_TOKEN: token }, logger).pull(`${GGUF_REPO}:Q8_0`);
    expect(hub.requests.every((r) => r.authorization === `Bearer ${token}`)).toBe(true);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('')).not.toContain('secretTestToken');
  });
});
