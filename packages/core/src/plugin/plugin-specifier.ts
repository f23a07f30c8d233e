import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** A plugin as config names it, made concrete: an npm package or a local file or folder. */
export type PluginSpecifier = { kind: 'package'; name: string } | { kind: 'path'; path: string };

const PREFIX = 'llmux-plugin-';

/** Whether config names a local path (`./x`, `../x`, `/x`, `C:\x`, `file:` URL) rather than a package. */
export function isLocalPath(name: string): boolean {
  return name.startsWith('./') || name.startsWith('../') || name.startsWith('file:') || path.isAbsolute(name);
}

/**
 * `foo` -> `llmux-plugin-foo`; `llmux-plugin-foo` and scoped names (`@acme/whatever`) as given;
 * paths resolved against `baseDir`.
 */
export function toPluginSpecifier(name: string, baseDir: string): PluginSpecifier {
  if (name.startsWith('file:')) return { kind: 'path', path: fileURLToPath(name) };
  if (isLocalPath(name)) return { kind: 'path', path: path.resolve(baseDir, name) };
  if (name.startsWith('@') || name.startsWith(PREFIX)) return { kind: 'package', name };
  return { kind: 'package', name: `${PREFIX}${name}` };
}
