import semver from 'semver';
import type { LlmuxPlugin } from './define-plugin.js';

export type PluginShapeCheck = { plugin: LlmuxPlugin } | { problems: string[] };

/**
 * Finds the plugin in an imported module (its default export; a CommonJS module's
 * `module.exports.default` too) and checks its shape. Lists every problem found.
 */
export function checkPluginShape(module: unknown): PluginShapeCheck {
  const candidate = unwrapDefault(module);
  if (typeof candidate !== 'object' || candidate === null) {
    return { problems: [`its default export is ${describe(candidate)}, not the object definePlugin() returns`] };
  }
  const value = candidate as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof value.name !== 'string' || value.name === '') problems.push('`name` must be a non-empty string');
  if (typeof value.version !== 'string') problems.push('`version` must be a string');
  if (typeof value.llmux !== 'string' || semver.validRange(value.llmux) === null) {
    problems.push('`llmux` must be a semver range of the @llmux/core versions it supports (e.g. "^1.0.0")');
  }
  if (typeof value.register !== 'function') problems.push('`register` must be a function');
  if (value.options !== undefined && typeof (value.options as { safeParse?: unknown }).safeParse !== 'function') {
    problems.push('`options` must be a zod schema');
  }
  return problems.length > 0 ? { problems } : { plugin: candidate as LlmuxPlugin };
}

function unwrapDefault(module: unknown): unknown {
  let value = module;
  // ESM namespace -> default; a CommonJS build adds one more `default` level.
  for (let depth = 0; depth < 2; depth++) {
    if (typeof value === 'object' && value !== null && 'default' in value && !('register' in value)) {
      value = (value as { default: unknown }).default;
    }
  }
  return value;
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  return `a ${typeof value}`;
}
