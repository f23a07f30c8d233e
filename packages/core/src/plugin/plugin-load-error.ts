import { ErrorCodes } from '../errors/error-codes.js';
import { LlmuxError, type LlmuxErrorOptions } from '../errors/llmux-error.js';

/** Why a plugin did not load; each reason has its own message that says what to do. */
export type PluginLoadFailure =
  | 'not-installed'
  | 'import-failed'
  | 'not-a-plugin'
  | 'incompatible-version'
  | 'duplicate-id'
  | 'invalid-options'
  | 'register-failed';

/** A plugin named in config could not be loaded. Start-up stops with this message. */
export class PluginLoadError extends LlmuxError {
  /** Which step failed. */
  readonly reason: PluginLoadFailure;
  /** The plugin as config names it. */
  readonly plugin: string;

  constructor(reason: PluginLoadFailure, plugin: string, message: string, options: LlmuxErrorOptions = {}) {
    super(ErrorCodes.pluginLoadFailed, message, { ...options, details: { reason, plugin, ...options.details } });
    this.reason = reason;
    this.plugin = plugin;
  }
}
