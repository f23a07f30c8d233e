import path from 'node:path';
import { cosmiconfig } from 'cosmiconfig';
import { z } from 'zod';
import { ConfigError } from '../errors/llmux-error.js';
import { configSchema, type LlmuxConfig, type LlmuxConfigInput } from './schema.js';

export interface LoadedConfig {
  config: LlmuxConfig;
  /** The file it came from; undefined when no file was found. */
  filepath: string | undefined;
}

export interface LoadConfigOptions {
  /** An explicit file (`--config`); a missing file is an error. */
  file?: string;
  /** Where to start searching; default `process.cwd()`. */
  searchFrom?: string;
  /** Environment for `LLMUX_*` overrides; default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

const explorer = cosmiconfig('llmux', {
  searchPlaces: [
    'package.json',
    'llmux.config.yaml',
    'llmux.config.yml',
    'llmux.config.json',
    'llmux.config.js',
    'llmux.config.mjs',
    'llmux.config.ts',
    '.llmuxrc',
    '.llmuxrc.yaml',
    '.llmuxrc.yml',
    '.llmuxrc.json',
  ],
  searchStrategy: 'none',
});

/** Finds, reads and validates the configuration. Errors name the file and the key path. */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  let result: { config: unknown; filepath: string } | null;
  try {
    result = options.file
      ? await explorer.load(path.resolve(options.file))
      : await explorer.search(options.searchFrom ?? process.cwd());
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ConfigError(`Cannot read the config${options.file ? ` file ${options.file}` : ''}: ${message}`, { cause: error });
  }
  const raw = (result?.config ?? {}) as LlmuxConfigInput;
  const config = parseConfig(applyEnvOverrides(raw, options.env ?? process.env), result?.filepath);
  if (result?.filepath) resolveRelativeSources(config, path.dirname(result.filepath));
  return { config, filepath: result?.filepath };
}

/** Validates a config object; the error lists every problem with its key path. */
export function parseConfig(input: unknown, source = 'config'): LlmuxConfig {
  const parsed = configSchema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  throw new ConfigError(`Invalid ${source ?? 'config'}:\n${formatIssues(parsed.error)}`, {
    details: { issues: parsed.error.issues },
  });
}

function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `  - ${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('\n');
}

function applyEnvOverrides(raw: LlmuxConfigInput, env: NodeJS.ProcessEnv): LlmuxConfigInput {
  const server = { ...(raw.server ?? {}) };
  if (env.LLMUX_HOST) server.host = env.LLMUX_HOST;
  if (env.LLMUX_PORT) server.port = Number(env.LLMUX_PORT);
  if (env.LLMUX_API_KEY) server.apiKeys = [...(server.apiKeys ?? []), env.LLMUX_API_KEY];
  if (env.LLMUX_ADMIN_API_KEY) server.adminApiKeys = [...(server.adminApiKeys ?? []), env.LLMUX_ADMIN_API_KEY];
  const log = env.LLMUX_LOG_LEVEL ? { ...(raw.log ?? {}), level: env.LLMUX_LOG_LEVEL as 'info' } : raw.log;
  return { ...raw, server, ...(log ? { log } : {}) };
}

function resolveRelativeSources(config: LlmuxConfig, baseDir: string): void {
  for (const model of Object.values(config.models)) {
    if (model.source.startsWith('./') || model.source.startsWith('../')) {
      model.source = path.resolve(baseDir, model.source);
    }
  }
  if (config.server.keyFile) config.server.keyFile = path.resolve(baseDir, config.server.keyFile);
  // Local plugin paths, like model sources, are relative to the config file.
  config.plugins = config.plugins.map((entry) => {
    const name = typeof entry === 'string' ? entry : entry.name;
    if (!name.startsWith('./') && !name.startsWith('../')) return entry;
    const resolved = path.resolve(baseDir, name);
    return typeof entry === 'string' ? resolved : { ...entry, name: resolved };
  });
}
