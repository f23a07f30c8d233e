import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError, type LlmuxConfig } from '@llmux/core';

/** What a presented key opens. */
export type KeyScope = 'api' | 'admin';

export interface KeyMatch {
  scope: KeyScope;
  /** A short, stable, non-secret name for the key (rate limits, logs, metrics). */
  id: string;
}

interface StoredKey {
  digest: Buffer;
  match: KeyMatch;
}

const digest = (key: string) => createHash('sha256').update(key, 'utf8').digest();

/**
 * The configured keys, kept only as SHA-256 digests. Lookups compare digests with
 * `timingSafeEqual` against every stored key, so timing tells nothing about which key or prefix matched.
 */
export class ApiKeys {
  private readonly keys: StoredKey[] = [];

  constructor(apiKeys: readonly string[], adminKeys: readonly string[]) {
    for (const key of adminKeys) this.add(key, 'admin');
    for (const key of apiKeys) this.add(key, 'api');
  }

  /** Keys from `server.apiKeys`, `server.adminApiKeys` (env included) and `server.keyFile`. */
  static fromConfig(server: LlmuxConfig['server']): ApiKeys {
    const api = [...server.apiKeys];
    const admin = [...server.adminApiKeys];
    if (server.keyFile) {
      const parsed = parseKeyFile(readKeyFile(server.keyFile));
      api.push(...parsed.api);
      admin.push(...parsed.admin);
    }
    return new ApiKeys(api, admin);
  }

  get hasApiKeys(): boolean {
    return this.keys.some((key) => key.match.scope === 'api');
  }

  get hasAdminKeys(): boolean {
    return this.keys.some((key) => key.match.scope === 'admin');
  }

  get empty(): boolean {
    return this.keys.length === 0;
  }

  /** The stored key equal to `presented`, if any. */
  lookup(presented: string): KeyMatch | undefined {
    const wanted = digest(presented);
    let found: KeyMatch | undefined;
    for (const key of this.keys) {
      // No early exit: every stored key is compared whatever matched.
      if (timingSafeEqual(wanted, key.digest) && !found) found = key.match;
    }
    return found;
  }

  private add(key: string, scope: KeyScope): void {
    const keyDigest = digest(key);
    this.keys.push({ digest: keyDigest, match: { scope, id: `key_${keyDigest.subarray(0, 4).toString('hex')}` } });
  }
}

function readKeyFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`Cannot read server.keyFile ${file}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/** One key per line; `admin <key>` for an admin key; blank lines and `#` comments are skipped. */
export function parseKeyFile(text: string): { api: string[]; admin: string[] } {
  const api: string[] = [];
  const admin: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const adminKey = /^admin\s+(\S+)$/.exec(line);
    if (adminKey) admin.push(adminKey[1]!);
    else api.push(line);
  }
  return { api, admin };
}
