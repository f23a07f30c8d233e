import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { ConfigError } from '@llmux/core';
import { expandHome } from './cache-layout.js';

/** The user alias file: `$XDG_CONFIG_HOME/llmux/aliases.json`, else `~/.config/llmux/aliases.json`. */
export function defaultAliasesFile(env: NodeJS.ProcessEnv = process.env): string {
  const configHome = env.XDG_CONFIG_HOME ? expandHome(env.XDG_CONFIG_HOME) : path.join(homedir(), '.config');
  return path.join(configHome, 'llmux', 'aliases.json');
}

/**
 * Reads an alias file (`{ "qwen:0.5b": "Qwen/Qwen2.5-0.5B-Instruct-GGUF:Q4_K_M" }`). A missing file
 * is an empty map; a malformed one is an error that names the file.
 */
export async function readAliasesFile(file: string): Promise<Record<string, string>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ConfigError(`Cannot read the alias file ${file}: ${(error as Error).message}`, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`The alias file ${file} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || Object.values(parsed).some((v) => typeof v !== 'string')) {
    throw new ConfigError(`The alias file ${file} must be a JSON object of names to model references (strings).`);
  }
  return parsed as Record<string, string>;
}
