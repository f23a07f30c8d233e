import path from 'node:path';
import { ConfigError, createLogger, loadConfig, parseConfig, type LlmuxConfig, type LlmuxConfigInput } from '@llmux/core';

type ModelConfigInput = NonNullable<LlmuxConfigInput['models']>[string];
import { bundledModelsConfig, bundledModelsDir } from '../runtime/bundled-models.js';
import { installProcessHandlers } from './process-handlers.js';

export interface ServeOptions {
  config?: string;
  port?: string;
  host?: string;
  model?: string;
  threads?: string;
  parallel?: string;
  gpu?: string;
  contextSize?: string;
  batchSize?: string;
  flashAttention?: boolean;
  kvCache?: string;
  promptCache?: string;
  logLevel?: string;
}

/** Resolves the config for `llmux serve`: file (or search), CLI flags, and the bundled models when none are configured. */
export async function resolveServeConfig(options: ServeOptions, env: NodeJS.ProcessEnv = process.env): Promise<{ config: LlmuxConfig; source: string }> {
  const loaded = await loadConfig({ ...(options.config ? { file: options.config } : {}), env });
  const input: LlmuxConfigInput = structuredClone(loaded.config) as LlmuxConfigInput;
  input.server = { ...input.server };
  if (options.port !== undefined) input.server.port = Number(options.port);
  if (options.host !== undefined) input.server.host = options.host;
  if (options.logLevel !== undefined) input.log = { level: options.logLevel as 'info' };
  input.modelDefaults = { ...input.modelDefaults };
  if (options.threads !== undefined) input.modelDefaults.threads = Number(options.threads);
  if (options.parallel !== undefined) input.modelDefaults.parallel = Number(options.parallel);
  if (options.contextSize !== undefined) input.modelDefaults.contextSize = Number(options.contextSize);
  if (options.batchSize !== undefined) input.modelDefaults.batchSize = Number(options.batchSize);
  if (options.flashAttention !== undefined) input.modelDefaults.flashAttention = options.flashAttention;
  if (options.kvCache !== undefined) input.modelDefaults.kvCache = options.kvCache as 'f16';
  if (options.promptCache !== undefined) input.modelDefaults.promptCache = /^\s*0\s*$/.test(options.promptCache) ? 0 : options.promptCache;

  if (options.model) {
    const source = path.resolve(options.model);
    const id = path.basename(source).replace(/\.gguf$/i, '');
    const hasDefault = Object.values(input.models ?? {}).some((m) => m.aliases?.includes('default'));
    input.models = { ...input.models, [id]: { source, aliases: hasDefault ? [] : ['default'] } };
  } else if (Object.keys(input.models ?? {}).length === 0) {
    const dir = bundledModelsDir(env);
    if (dir) input.models = bundledModelsConfig(dir);
  }
  if (options.gpu !== undefined) {
    // `--gpu` is the default for every model whose config does not name its own `gpu`.
    const gpu = gpuFlag(options.gpu);
    input.models = Object.fromEntries(
      Object.entries(input.models ?? {}).map(([id, model]) => [id, model.gpu !== undefined ? model : { ...model, gpu }]),
    );
  }
  return { config: parseConfig(input, loaded.filepath ?? 'config'), source: loaded.filepath ?? 'defaults' };
}

/** `--gpu` value: auto, cuda, vulkan, metal, or false/cpu/off for the CPU binding. */
function gpuFlag(value: string): ModelConfigInput['gpu'] {
  const lower = value.trim().toLowerCase();
  if (lower === 'false' || lower === 'cpu' || lower === 'off' || lower === 'none') return false;
  if (lower === 'auto' || lower === 'cuda' || lower === 'vulkan' || lower === 'metal') return lower;
  throw new ConfigError(`--gpu '${value}' is not one of auto, cuda, vulkan, metal, false.`);
}

export async function serveCommand(options: ServeOptions): Promise<void> {
  const { config, source } = await resolveServeConfig(options);
  const logger = createLogger({ level: config.log.level });
  // Loaded here, not at the top: other commands share this module and must not pay for the engines.
  const { startServer } = await import('../server.js');
  const running = await startServer(config, logger);
  logger.info(
    { url: running.url, config: source, models: Object.keys(config.models) },
    `llmux listening on ${running.url} (OpenAI API at ${running.url}/v1)`,
  );
  installProcessHandlers({ logger, stop: running.stop });
}
