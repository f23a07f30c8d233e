import { isIP } from 'node:net';
import type { LlmuxConfig, Logger } from '@llmux/core';
import { ApiKeys } from './api-keys.js';

/** Whether `host` only takes connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare === '::1') return true;
  return isIP(bare) === 4 && bare.startsWith('127.');
}

/** Logs a loud warning when the server is reachable from other machines and takes no key. */
export function warnIfOpenWithoutKeys(config: LlmuxConfig, logger: Logger): boolean {
  if (isLoopbackHost(config.server.host) || !ApiKeys.fromConfig(config.server).empty) return false;
  logger.warn(
    { host: config.server.host },
    `WARNING: llmux listens on ${config.server.host}, reachable from other machines, and NO API KEY is set: ` +
      'anyone who can reach this port can use every model and the admin API. ' +
      'Set server.apiKeys / server.adminApiKeys (or LLMUX_API_KEY / LLMUX_ADMIN_API_KEY, or server.keyFile), or bind to 127.0.0.1.',
  );
  return true;
}
