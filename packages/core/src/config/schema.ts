import { z } from 'zod';
import { parseDurationSeconds } from './duration.js';
import { parseByteSize } from './byte-size.js';

const duration = z
  .union([z.number(), z.string()])
  .transform((value, ctx) => {
    const seconds = parseDurationSeconds(value);
    if (seconds === undefined) {
      ctx.addIssue({ code: 'custom', message: `'${value}' is not a duration: use seconds or a number with s, m, h or d (e.g. 10m)` });
      return z.NEVER;
    }
    return seconds;
  });

const byteSize = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const bytes = parseByteSize(value);
  if (bytes === undefined) {
    ctx.addIssue({ code: 'custom', message: `'${value}' is not a size: use bytes or a number with KB, MB, GB or TB (e.g. 8GB)` });
    return z.NEVER;
  }
  return bytes;
});

/** A size in bytes, or 0 / `false` for none. */
const promptCacheSize = z.union([z.literal(false).transform(() => 0), z.literal(0), byteSize]);

/** Per-model sampling defaults, in OpenAI's names; a request's own values win. */
export const generationDefaultsSchema = z.strictObject({
  temperature: z.number().min(0).max(2).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.int().min(0).optional(),
  min_p: z.number().min(0).max(1).optional(),
  presence_penalty: z.number().min(-2).max(2).optional(),
  frequency_penalty: z.number().min(-2).max(2).optional(),
  repeat_penalty: z.number().min(0).optional(),
  max_tokens: z.int().min(1).optional(),
});

export const modelConfigSchema = z.strictObject({
  /** A GGUF file, an MLX folder (relative paths are relative to the config file), or a store reference. */
  source: z.string().min(1),
  backend: z.string().min(1).optional(),
  aliases: z.array(z.string().min(1)).default([]),
  contextSize: z.int().min(16).optional(),
  parallel: z.int().min(1).max(256).optional(),
  maxQueue: z.int().min(0).optional(),
  threads: z.int().min(1).optional(),
  batchSize: z.int().min(1).optional(),
  flashAttention: z.boolean().optional(),
  kvCache: z.enum(['f16', 'q8_0', 'q4_0']).optional(),
  /** Room for sequence states kept beyond the sequences (a size such as `1GB`; 0 or false = off). */
  promptCache: promptCacheSize.optional(),
  gpu: z.union([z.enum(['auto', 'cuda', 'vulkan', 'metal']), z.literal(false)]).optional(),
  /** Idle time before the model is unloaded; 0 = never. */
  ttl: duration.optional(),
  /** A pinned model is never evicted. */
  pin: z.boolean().default(false),
  defaults: generationDefaultsSchema.default({}),
  /** Options for the backend, validated by the backend itself. */
  options: z.record(z.string(), z.unknown()).optional(),
});

const routeTargetSchema = z.union([
  z.string().min(1).transform((model) => ({ model })),
  z.strictObject({ model: z.string().min(1), weight: z.number().positive().optional(), task: z.string().min(1).optional() }),
]);

/** A virtual model name (`auto`, `fast`, `smart`...) served by a strategy over targets. */
export const virtualModelSchema = z.strictObject({
  strategy: z.string().min(1),
  targets: z.array(routeTargetSchema).min(1, 'a virtual model needs at least one target'),
  options: z.record(z.string(), z.unknown()).default({}),
});

export const routerConfigSchema = z.strictObject({
  /** The strategy for names that are not virtual models. */
  strategy: z.string().default('direct'),
  /** Per-model fallback chains: `{ stories: [brown] }` tries brown when stories fails before the first byte. */
  fallbacks: z.record(z.string(), z.array(z.string())).default({}),
  virtual: z.record(z.string().regex(/^[\w.:@/-]+$/), virtualModelSchema).default({}),
  /** Retries of one target for retryable errors (overloaded, load failures), with exponential backoff. */
  retry: z
    .strictObject({ attempts: z.int().min(0).max(10).default(1), backoffMs: z.int().min(0).default(100) })
    .default({ attempts: 1, backoffMs: 100 }),
  /** A target failing `failures` times in a row rests for `seconds`, then one request probes it. */
  cooldown: z
    .strictObject({ failures: z.int().min(1).default(3), seconds: duration.default(30) })
    .default({ failures: 3, seconds: 30 }),
});

const pluginEntrySchema = z.union([
  z.string().min(1),
  z.strictObject({ name: z.string().min(1), options: z.record(z.string(), z.unknown()).default({}) }),
]);

/** Per-key limits on requests and tokens per minute; 0 = no limit. */
const rateLimitSchema = z.strictObject({
  requestsPerMinute: z.int().min(0).default(0),
  /** Prompt plus completion tokens per minute. */
  tokensPerMinute: z.int().min(0).default(0),
});

/** The HTTP server: binding, keys, CORS, limits, timeouts, metrics. */
export const serverSchema = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.int().min(0).max(65535).default(1234),
  /** Keys for the inference API (`/v1/*`). Empty (and no key file): the API is open. */
  apiKeys: z.array(z.string().min(1)).default([]),
  /** Keys for `/admin/*` and `/metrics`; they also open the inference API. */
  adminApiKeys: z.array(z.string().min(1)).default([]),
  /** A file with more keys, one per line (`#` comments); a line `admin <key>` adds an admin key. */
  keyFile: z.string().min(1).optional(),
  cors: z
    .strictObject({
      /** Allowed browser origins; `*` for any. Empty: only localhost origins. */
      origins: z.array(z.string()).default([]),
      methods: z.array(z.string()).default(['GET', 'POST', 'DELETE', 'OPTIONS']),
      /** Allowed request headers; empty: whatever the preflight asks for. */
      headers: z.array(z.string()).default([]),
      /** Seconds a browser may cache a preflight answer. */
      maxAge: z.int().min(0).default(600),
    })
    .prefault({}),
  /** Largest JSON body accepted. */
  bodyLimit: z.string().default('4mb'),
  /** Most messages in one request; 0 = no cap. */
  maxMessages: z.int().min(0).default(1024),
  /** Highest `max_tokens` a request may ask for; 0 = no cap beyond the model's context. */
  maxTokens: z.int().min(0).default(0),
  rateLimit: rateLimitSchema.prefault({}),
  /** Longest time a request may take from arrival to its last byte; 0 = none. */
  requestTimeout: duration.default(600),
  /** Longest pause between two writes of a streamed response; 0 = none. */
  streamIdleTimeout: duration.default(60),
  /** Text generated within this time after the last write goes out in one chunk (the first token at once); 0 = a chunk per token. */
  streamInterval: duration.default(0.01),
  /** Longest time a client may take to send its headers and body (slow clients get 408). */
  bodyTimeout: duration.default(30),
  /** How long SIGTERM waits for in-flight requests before aborting them. */
  shutdownTimeout: duration.default(10),
  /**
   * After this long without requests (following some), one full garbage collection gives the heap back, and the
   * backends give back the native memory they hold free (`Backend.releaseIdleMemory`); 0 = never.
   * The requests right after a collection run slower for a while (V8 rebuilds what it threw away), so a pause in a
   * conversation shorter than this keeps the server as it was.
   */
  idleCollect: duration.default(30),
  metrics: z
    .strictObject({
      /** Serve `GET /metrics` (Prometheus text; admin key required when admin keys exist). */
      enabled: z.boolean().default(true),
    })
    .prefault({}),
});

export const configSchema = z.strictObject({
  server: serverSchema.prefault({}),
  log: z
    .strictObject({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') })
    .default({ level: 'info' }),
  memory: z
    .strictObject({
      /** Share of total memory that loaded models may take. */
      maxFraction: z.number().gt(0).max(1).default(0.9),
      /** An absolute cap; the lower of the two applies. */
      maxBytes: byteSize.optional(),
    })
    .default({ maxFraction: 0.9 }),
  /** Where models are kept and fetched from. */
  store: z
    .strictObject({
      /** Hugging Face hub cache; default `$HF_HUB_CACHE`, else `$HF_HOME/hub`, else `~/.cache/huggingface/hub`. */
      cacheDir: z.string().min(1).optional(),
      /** Hub endpoint; default `$HF_ENDPOINT`, else https://huggingface.co. */
      hfEndpoint: z.url().optional(),
      /** Names for store references, e.g. `qwen:0.5b: Qwen/Qwen2.5-0.5B-Instruct-GGUF:Q4_K_M`. */
      aliases: z.record(z.string().min(1), z.string().min(1)).default({}),
      /** A JSON file of more aliases; default `~/.config/llmux/aliases.json`. */
      aliasesFile: z.string().min(1).optional(),
    })
    .default({ aliases: {} }),
  /** Defaults for every model; a model's own keys win. */
  modelDefaults: z
    .strictObject({
      contextSize: z.int().min(16).optional(),
      parallel: z.int().min(1).max(256).default(4),
      maxQueue: z.int().min(0).default(64),
      threads: z.int().min(1).optional(),
      batchSize: z.int().min(1).optional(),
      flashAttention: z.boolean().optional(),
      kvCache: z.enum(['f16', 'q8_0', 'q4_0']).optional(),
      promptCache: promptCacheSize.optional(),
      ttl: duration.default(0),
      /** After a failed load, how long requests get the same error before the next attempt. */
      loadCooldown: duration.default(5),
    })
    .default({ parallel: 4, maxQueue: 64, ttl: 0, loadCooldown: 5 }),
  models: z.record(z.string().regex(/^[\w.:@/-]+$/, 'model ids use letters, digits and . _ - : @ /'), modelConfigSchema).default({}),
  router: routerConfigSchema.default(routerConfigSchema.parse({})),
  plugins: z.array(pluginEntrySchema).default([]),
});

/** The validated configuration, with defaults applied. */
export type LlmuxConfig = z.output<typeof configSchema>;
/** The configuration as a user writes it. */
export type LlmuxConfigInput = z.input<typeof configSchema>;
export type ModelConfig = z.output<typeof modelConfigSchema>;
export type GenerationDefaults = z.output<typeof generationDefaultsSchema>;
export type RouterConfig = z.output<typeof routerConfigSchema>;
export type VirtualModelConfig = z.output<typeof virtualModelSchema>;
