import {
  ConfigError,
  type Backend,
  type BackendLoadOptions,
  type LoadedModel,
  type Logger,
  type MemoryEstimate,
  type ModelLocation,
} from '@llmux/core';
import { EchoModel } from './echo-model.js';
import { echoModelOptions, type EchoPluginOptions } from './echo-options.js';

/**
 * A backend with no engine: its models answer with the words of the last user message, again and
 * again, one word per token. Models use it with `backend: echo` (any `source`).
 */
export class EchoBackend implements Backend {
  readonly specificationVersion = 'v1' as const;
  readonly id = 'echo';
  readonly capabilities = { formats: ['custom'] as const, platforms: [] as const };

  constructor(
    private readonly defaults: EchoPluginOptions = { tokenDelayMs: 0 },
    private readonly logger?: Logger,
  ) {}

  async canLoad(model: ModelLocation): Promise<boolean> {
    return model.format === 'custom';
  }

  async estimateMemory(): Promise<MemoryEstimate> {
    // A few kilobytes of bookkeeping per model.
    return { cpuBytes: 64 * 1024, gpuBytes: 0 };
  }

  async load(model: ModelLocation, options: BackendLoadOptions): Promise<LoadedModel> {
    const parsed = echoModelOptions.safeParse(options.backendOptions ?? {});
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) => `models.${model.id}.options.${issue.path.join('.')}: ${issue.message}`);
      throw new ConfigError(`Invalid options for the echo model '${model.id}': ${problems.join('; ')}`);
    }
    this.logger?.info({ model: model.id }, 'echo model ready');
    return new EchoModel({
      id: model.id,
      parallel: options.parallel,
      maxQueue: options.maxQueue,
      contextLength: options.contextSize ?? parsed.data.contextLength,
      tokenDelayMs: parsed.data.tokenDelayMs ?? this.defaults.tokenDelayMs,
    });
  }

  async dispose(): Promise<void> {
    // Nothing is shared between echo models.
  }
}
