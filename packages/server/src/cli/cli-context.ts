import { silentLogger, type LlmuxConfig } from '@llmux/core';
import { HfCacheStore } from '@llmux/store-hf';
import { resolveServeConfig } from './serve-command.js';

export interface ConfigOption {
  config?: string;
}

/** The config `llmux serve` would use (file or search, bundled models when none), for commands that work without a server. */
export async function cliConfig(options: ConfigOption): Promise<LlmuxConfig> {
  return (await resolveServeConfig(options.config ? { config: options.config } : {})).config;
}

/** The store `llmux serve` would use, for `pull`, `list` and `rm`. */
export async function cliStore(options: ConfigOption): Promise<HfCacheStore> {
  return new HfCacheStore({ config: await cliConfig(options), logger: silentLogger() });
}

export interface ServerOption extends ConfigOption {
  url?: string;
}

/** The running server to talk to: `--url`, else `$LLMUX_URL`, else the configured host and port. */
export async function serverUrl(options: ServerOption): Promise<string> {
  if (options.url) return options.url.replace(/\/+$/, '');
  if (process.env.LLMUX_URL) return process.env.LLMUX_URL.replace(/\/+$/, '');
  const { server } = await cliConfig(options);
  const host = server.host === '0.0.0.0' || server.host === '::' ? '127.0.0.1' : server.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${server.port}`;
}

/** Headers for admin calls: the admin key from `$LLMUX_ADMIN_API_KEY`, else the API key, when set. */
export function authHeaders(): Record<string, string> {
  const key = process.env.LLMUX_ADMIN_API_KEY ?? process.env.LLMUX_API_KEY;
  return key ? { authorization: `Bearer ${key}` } : {};
}

/** GETs or POSTs JSON; a non-2xx answer becomes an error with the server's own message. */
export async function requestJson<T>(url: string, init: RequestInit = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, headers: { ...authHeaders(), ...(init.body ? { 'content-type': 'application/json' } : {}), ...init.headers } });
  } catch (error) {
    throw new Error(`cannot reach the llmux server at ${new URL(url).origin} (${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message}). Start it with 'llmux serve' or pass --url.`);
  }
  const body = (await res.json().catch(() => undefined)) as { error?: { message?: string } } | undefined;
  if (!res.ok) throw new Error(body?.error?.message ?? `${res.status} ${res.statusText}`);
  return body as T;
}
