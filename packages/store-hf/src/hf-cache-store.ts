import { readdir, realpath, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import {
  ConfigModelStore,
  ErrorCodes,
  LlmuxError,
  InvalidRequestError,
  ModelNotFoundError,
  detectFormat,
  type LlmuxConfig,
  type Logger,
  type ModelInfo,
  type ModelLocation,
  type ModelStore,
  type PullProgress,
} from '@llmux/core';
import { defaultAliasesFile, readAliasesFile } from './aliases.js';
import { expandHome, hubCacheDir, repoCachePaths } from './cache-layout.js';
import { cachedRepos, snapshotDir, snapshotFiles } from './cache-snapshot.js';
import { readGgufFacts, readMlxFacts, type ModelFacts } from './model-facts.js';
import { formatHubRef, parseModelRef, type ModelRef } from './model-ref.js';
import { pullRepo } from './pull-repo.js';
import { isGguf, isLaterShard, isMlxFolder, quantOfFile } from './repo-files.js';

export interface HfCacheStoreOptions {
  config: LlmuxConfig;
  logger: Logger;
  /** Environment for `HF_HOME`, `HF_HUB_CACHE`, `HF_ENDPOINT`, `HF_TOKEN`; default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

type HubRef = Extract<ModelRef, { kind: 'hub' }>;

const DEFAULT_ENDPOINT = 'https://huggingface.co';

/**
 * The default store: the models named in config, plus everything in the Hugging Face hub cache
 * (shared with other tools), plus local paths. Names resolve in this order: a configured id or
 * alias, a store alias (config `store.aliases`, then the alias file), a local path, a hub reference.
 */
export class HfCacheStore implements ModelStore {
  readonly specificationVersion = 'v1' as const;
  readonly id = 'hf';
  /** The hub cache folder in use. */
  readonly cacheDir: string;
  readonly endpoint: string;
  private readonly configured: ConfigModelStore;
  private readonly env: NodeJS.ProcessEnv;

  constructor(private readonly options: HfCacheStoreOptions) {
    this.env = options.env ?? process.env;
    this.cacheDir = hubCacheDir(options.config.store.cacheDir, this.env);
    this.endpoint = (options.config.store.hfEndpoint ?? this.env.HF_ENDPOINT ?? DEFAULT_ENDPOINT).replace(/\/+$/, '');
    this.configured = new ConfigModelStore(options.config.models);
  }

  /** Store aliases: the alias file, overridden by config `store.aliases`. */
  async aliases(): Promise<Record<string, string>> {
    const file = this.options.config.store.aliasesFile ? expandHome(this.options.config.store.aliasesFile) : defaultAliasesFile(this.env);
    return { ...(await readAliasesFile(file)), ...this.options.config.store.aliases };
  }

  async resolve(ref: string): Promise<ModelLocation> {
    const configuredId = this.configured.idFor(ref);
    if (configuredId) {
      const model = this.options.config.models[configuredId]!;
      const source = parseModelRef(model.source);
      if (source?.kind === 'hub' && model.source.startsWith('hf:')) {
        return { ...(await this.resolveHub(source, ref)), id: configuredId, ...(model.backend ? { backend: model.backend } : {}) };
      }
      return this.configured.resolve(configuredId);
    }
    const aliases = await this.aliases();
    const target = aliases[ref];
    const parsed = parseModelRef(target ?? ref);
    if (!parsed) throw new ModelNotFoundError(ref, [...Object.keys(this.options.config.models), ...Object.keys(aliases)]);
    if (parsed.kind === 'local') return this.resolveLocal(parsed.path);
    return this.resolveHub(parsed, ref);
  }

  async list(): Promise<ModelInfo[]> {
    const aliases = await this.aliases();
    const aliasesOf = (id: string) => Object.entries(aliases).filter(([, target]) => canonical(target) === id).map(([name]) => name);
    const infos: ModelInfo[] = [];
    for (const id of Object.keys(this.options.config.models)) {
      const location = await this.resolve(id).catch(() => undefined);
      const model = this.options.config.models[id]!;
      if (!location) continue;
      infos.push(await this.describe(id, location.format, location.path, model.aliases));
    }
    for (const repo of await cachedRepos(this.cacheDir)) {
      const dir = await snapshotDir(this.cacheDir, repo);
      if (!dir) continue;
      const files = await snapshotFiles(dir);
      const names = files.map((f) => f.path);
      if (isMlxFolder(names)) {
        infos.push(await this.describe(repo, 'mlx', dir, aliasesOf(repo), files.reduce((sum, f) => sum + f.size, 0)));
        continue;
      }
      const ggufs = names.filter((name) => isGguf(name) && !isLaterShard(name));
      for (const file of ggufs) {
        const quant = quantOfFile(file);
        const unique = quant !== undefined && ggufs.filter((other) => quantOfFile(other) === quant).length === 1;
        const id = unique ? `${repo}:${quant}` : `${repo}/${file}`;
        const size = files.filter((f) => f.path === file || sameSplit(file, f.path)).reduce((sum, f) => sum + f.size, 0);
        infos.push(await this.describe(id, 'gguf', path.join(dir, file), aliasesOf(id), size));
      }
    }
    return infos;
  }

  async pull(ref: string, options: { signal?: AbortSignal; onProgress?: (progress: PullProgress) => void } = {}): Promise<ModelLocation> {
    const hub = await this.hubRefFor(ref);
    const token = this.env.HF_TOKEN ?? this.env.HUGGING_FACE_HUB_TOKEN;
    if (token !== undefined && !token.startsWith('hf_')) {
      throw new InvalidRequestError('HF_TOKEN does not look like a Hugging Face token (they start with "hf_"); unset it or fix it.');
    }
    this.options.logger.info({ ref: formatHubRef(hub), endpoint: this.endpoint, authenticated: token !== undefined }, 'pulling model');
    await pullRepo(this.cacheDir, hub, { hubUrl: this.endpoint, ...(token ? { accessToken: token } : {}) }, options);
    return this.resolve(ref);
  }

  /**
   * Removes a pulled model from the cache: its snapshot links, then every blob no snapshot links to
   * any more (other quantizations of the same repo stay). Configured local files are never deleted.
   */
  async remove(ref: string): Promise<void> {
    const hub = await this.hubRefFor(ref);
    const dir = await snapshotDir(this.cacheDir, hub.repo);
    if (!dir) throw new ModelNotFoundError(formatHubRef(hub), [], { details: { cacheDir: this.cacheDir } });
    const location = await this.resolveHub(hub, ref);
    const paths = repoCachePaths(this.cacheDir, hub.repo);
    if (location.format === 'mlx' || (!hub.file && !hub.quant)) {
      await rm(paths.root, { recursive: true, force: true });
      return;
    }
    const relative = path.relative(dir, location.path).split(path.sep).join('/');
    const files = (await snapshotFiles(dir)).map((f) => f.path).filter((f) => f === relative || sameSplit(relative, f));
    for (const file of files) await rm(path.join(dir, file), { force: true });
    const remaining = (await snapshotFiles(dir)).filter((f) => isGguf(f.path) || f.path.endsWith('.safetensors'));
    if (remaining.length === 0) {
      await rm(paths.root, { recursive: true, force: true });
      return;
    }
    await this.removeUnreferencedBlobs(paths.blobs, paths.snapshots);
  }

  private async hubRefFor(ref: string): Promise<HubRef> {
    const configuredId = this.configured.idFor(ref);
    const source = configuredId ? this.options.config.models[configuredId]!.source : ((await this.aliases())[ref] ?? ref);
    const parsed = parseModelRef(source);
    if (parsed?.kind !== 'hub') {
      throw new InvalidRequestError(`'${ref}' is not a hub reference: use org/repo, org/repo:QUANT or org/repo/file.gguf.`, { param: 'model' });
    }
    return parsed;
  }

  private async resolveLocal(file: string): Promise<ModelLocation> {
    const absolute = path.resolve(expandHome(file));
    const format = await detectFormat(absolute);
    if (!format) {
      throw new InvalidRequestError(`${absolute} is not a GGUF file or an MLX folder (with config.json), or does not exist.`, { param: 'model' });
    }
    return { id: absolute, format, path: absolute };
  }

  private async resolveHub(ref: HubRef, asked: string): Promise<ModelLocation> {
    const id = formatHubRef(ref);
    const dir = await snapshotDir(this.cacheDir, ref.repo);
    const notPulled = () =>
      new LlmuxError(ErrorCodes.modelNotFound, `The model '${id}' is not in the local cache (${this.cacheDir}). Pull it first: llmux pull ${id}`, {
        param: 'model',
        details: { model: asked, reference: id, cacheDir: this.cacheDir },
      });
    if (!dir) throw notPulled();
    const files = (await snapshotFiles(dir)).map((f) => f.path);
    if (ref.file) {
      if (!files.includes(ref.file)) throw notPulled();
      return { id, format: 'gguf', path: path.join(dir, ref.file) };
    }
    const ggufs = files.filter((f) => isGguf(f) && !isLaterShard(f));
    if (ref.quant) {
      const file = ggufs.find((f) => quantOfFile(f) === ref.quant!.toUpperCase());
      if (!file) throw notPulled();
      return { id, format: 'gguf', path: path.join(dir, file) };
    }
    if (isMlxFolder(files)) return { id, format: 'mlx', path: dir };
    if (ggufs.length === 1) return { id, format: 'gguf', path: path.join(dir, ggufs[0]!) };
    if (ggufs.length === 0) throw notPulled();
    throw new InvalidRequestError(`${ref.repo} has ${ggufs.length} GGUF files in the cache; name one: ${ggufs.map((f) => `${ref.repo}/${f}`).join(', ')}.`, {
      param: 'model',
    });
  }

  private async describe(id: string, format: ModelInfo['format'], file: string, aliases: readonly string[], size?: number): Promise<ModelInfo> {
    const sizeBytes = size ?? (await stat(file).then((info) => info.size, () => 0));
    let facts: ModelFacts = {};
    try {
      if (format === 'gguf') facts = await readGgufFacts(file);
      else if (format === 'mlx') facts = await readMlxFacts(file);
    } catch (error) {
      this.options.logger.warn({ model: id, err: error }, 'cannot read model metadata');
    }
    return { id, format, path: file, sizeBytes, aliases, ...facts };
  }

  private async removeUnreferencedBlobs(blobs: string, snapshots: string): Promise<void> {
    const referenced = new Set<string>();
    for (const snapshot of await readdir(snapshots).catch(() => [])) {
      const dir = path.join(snapshots, snapshot);
      for (const file of await snapshotFiles(dir)) {
        referenced.add(path.basename(await realpath(path.join(dir, file.path))));
      }
    }
    for (const blob of await readdir(blobs).catch(() => [])) {
      if (!referenced.has(blob) && !blob.endsWith('.incomplete')) await rm(path.join(blobs, blob), { force: true });
    }
  }
}

function canonical(ref: string): string | undefined {
  const parsed = parseModelRef(ref);
  return parsed?.kind === 'hub' ? formatHubRef(parsed) : undefined;
}

/** Whether `other` is a later shard of the split GGUF whose first shard is `first`. */
function sameSplit(first: string, other: string): boolean {
  const match = /^(.*)-00001-of-(\d{5})\.gguf$/i.exec(first);
  return match !== null && other !== first && other.startsWith(`${match[1]}-`) && other.endsWith(`-of-${match[2]}.gguf`);
}
