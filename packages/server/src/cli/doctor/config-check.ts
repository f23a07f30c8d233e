import { ConfigError, type LlmuxConfig } from '@llmux/core';
import { resolveServeConfig } from '../serve-command.js';
import { fail, ok, type CheckResult } from './check-result.js';

export interface ConfigCheck {
  result: CheckResult;
  /** The config `llmux serve` would run with; undefined when it is invalid. */
  config?: LlmuxConfig;
  /** The file it came from, or `defaults`. */
  source?: string;
}

/** Loads and validates the config as `llmux serve` would. Shared by `llmux doctor` and `llmux config check`. */
export async function checkConfig(file: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<ConfigCheck> {
  try {
    const { config, source } = await resolveServeConfig(file ? { config: file } : {}, env);
    const models = Object.keys(config.models).length;
    const virtual = Object.keys(config.router.virtual).length;
    const where = source === 'defaults' ? 'no config file found (defaults and the bundled models)' : source;
    return { result: ok('config', `${where}: valid; ${models} model(s), ${virtual} virtual model(s), listens on ${config.server.host}:${config.server.port}`), config, source };
  } catch (error) {
    if (error instanceof ConfigError) {
      // The message lists each bad key path with what is wrong with it.
      return { result: fail('config', error.message, 'correct the keys listed above (docs/config.md describes each one)') };
    }
    return { result: fail('config', (error as Error).message, 'check the config file path and that it is readable') };
  }
}
