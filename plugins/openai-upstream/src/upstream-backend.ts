import OpenAI from 'openai';
import {
  ConfigError,
  type Backend,
  type BackendLoadOptions,
  type LoadedModel,
  type Logger,
  type MemoryEstimate,
  type ModelLocation,
} from '@llmux/core';
import { fromUpstreamError } from './upstream-errors.js';
import { upstreamModelOptions, type UpstreamModelOptions, type UpstreamPluginOptions } from './upstream-options.js';
import { UpstreamModel } from './upstream-model.js';

/** The answer of a health check. */
export interface UpstreamHealth {
  ok: boolean;
  baseURL: string;
  latencyMs: number;
  /** The models the upstream lists, when it lists them. */
  models?: string[];
  /** Why it is not healthy (an llmux error code and message). */
  error?: { code: string; message: string };
}

/**
 * Serves models from OpenAI-compatible servers: a model with `backend: openai-upstream` and a URL
 * `source` (the upstream's base URL, e.g. `http://127.0.0.1:8080/v1`) is proxied there, each with
 * its own key and options.
 */
export class OpenAIUpstreamBackend implements Backend {
  readonly specificationVersion = 'v1' as const;
  readonly id = 'openai-upstream';
  readonly capabilities = { formats: ['remote'] as const, platforms: [] as const };

  constructor(
    private readonly defaults: UpstreamPluginOptions = { timeout: 600, healthTimeout: 5 },
    private readonly logger?: Logger,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  async canLoad(model: ModelLocation): Promise<boolean> {
    return model.format === 'remote' && /^https?:\/\//.test(model.path);
  }

  async estimateMemory(): Promise<MemoryEstimate> {
    return { cpuBytes: 0, gpuBytes: 0 };
  }

  /** Checks the upstream answers (and, when it lists models, has this one); throws its error if not. */
  async load(model: ModelLocation, options: BackendLoadOptions): Promise<LoadedModel> {
    const settings = this.modelOptions(model, options.backendOptions);
    const client = this.clientFor(model.path, settings);
    const upstreamModel = settings.model ?? model.id;
    const health = await this.checkClient(client, model.path, this.defaults.healthTimeout * 1000);
    if (!health.ok) throw health.cause;
    if (health.models && !health.models.includes(upstreamModel)) {
      this.logger?.warn({ model: model.id, upstream: model.path, upstreamModel, listed: health.models }, 'the upstream does not list this model');
    }
    this.logger?.info({ model: model.id, upstream: model.path, upstreamModel, latencyMs: health.latencyMs }, 'upstream model ready');
    return new UpstreamModel({
      id: model.id,
      client,
      upstreamModel,
      baseURL: model.path,
      contextLength: options.contextSize ?? settings.contextLength,
      vision: settings.vision,
      timeoutMs: (settings.timeout ?? this.defaults.timeout) * 1000,
      parallel: options.parallel,
      maxQueue: options.maxQueue,
    });
  }

  /** Asks the upstream for its model list: reachable, credentials accepted, how fast. */
  async checkHealth(model: ModelLocation, backendOptions?: Record<string, unknown>): Promise<UpstreamHealth> {
    const settings = this.modelOptions(model, backendOptions);
    const { cause: _cause, ...health } = await this.checkClient(this.clientFor(model.path, settings), model.path, this.defaults.healthTimeout * 1000);
    return health;
  }

  async dispose(): Promise<void> {
    // Clients hold no connections of their own beyond Node's shared agent.
  }

  private async checkClient(client: OpenAI, baseURL: string, timeoutMs: number): Promise<UpstreamHealth & { cause?: Error }> {
    const started = performance.now();
    const latency = () => Math.round(performance.now() - started);
    try {
      const models: string[] = [];
      for await (const entry of client.models.list({ timeout: timeoutMs, maxRetries: 0 })) models.push(entry.id);
      return { ok: true, baseURL, latencyMs: latency(), models };
    } catch (error) {
      // A server without a model list still answered: it is up.
      if (error instanceof OpenAI.NotFoundError) return { ok: true, baseURL, latencyMs: latency() };
      const mapped = fromUpstreamError(error, { baseURL, model: '', contextLength: 0 });
      return { ok: false, baseURL, latencyMs: latency(), error: { code: mapped.code, message: mapped.message }, cause: mapped };
    }
  }

  private modelOptions(model: ModelLocation, raw: Record<string, unknown> | undefined): UpstreamModelOptions {
    const parsed = upstreamModelOptions.safeParse(raw ?? {});
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) => `models.${model.id}.options.${issue.path.join('.')}: ${issue.message}`);
      throw new ConfigError(`Invalid options for the upstream model '${model.id}': ${problems.join('; ')}`);
    }
    return parsed.data;
  }

  private clientFor(baseURL: string, settings: UpstreamModelOptions): OpenAI {
    let apiKey = settings.apiKey;
    if (settings.apiKeyEnv !== undefined) {
      apiKey = this.env[settings.apiKeyEnv];
      if (!apiKey) throw new ConfigError(`The environment variable ${settings.apiKeyEnv} (the upstream API key for ${baseURL}) is not set.`);
    }
    // Every field is explicit: the client must never pick up OPENAI_API_KEY, OPENAI_ORG_ID or
    // OPENAI_PROJECT_ID from the environment and send them to another server.
    return new OpenAI({
      baseURL,
      apiKey: apiKey ?? 'none',
      organization: null,
      project: null,
      maxRetries: 0,
      defaultHeaders: { ...(apiKey === undefined ? { Authorization: null } : {}), ...settings.headers },
    });
  }
}
