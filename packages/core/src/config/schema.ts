import { z } from 'zod';
import { parseDurationSeconds } from './duration.js';

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
  gpu: z.union([z.enum(['auto', 'cuda', 'vulkan', 'metal']), z.literal(false)]).optional(),
  /** Idle time before the model is unloaded; 0 = never. */
  ttl: duration.optional(),
  /** A pinned model is never evicted. */
  pin: z.boolean().default(false),
  defaults: generationDefaultsSchema.default({}),
  /** Options for the backend, validated by the backend itself. */
  options: z.record(z.string(), z.unknown()).optional(),
});

const pluginEntrySchema = z.union([
  z.string().min(1),
  z.strictObject({ name: z.string().min(1), options: z.record(z.string(), z.unknown()).default({}) }),
]);

export const configSchema = z.strictObject({
  server: z
    .strictObject({
      host: z.string().min(1).default('127.0.0.1'),
      port: z.int().min(0).max(65535).default(1234),
      apiKeys: z.array(z.string().min(1)).default([]),
      adminApiKeys: z.array(z.string().min(1)).default([]),
      cors: z.strictObject({ origins: z.array(z.string()).default([]) }).default({ origins: [] }),
      /** Largest JSON body accepted. */
      bodyLimit: z.string().default('4mb'),
      /** How long SIGTERM waits for in-flight requests before aborting them. */
      shutdownTimeout: duration.default(10),
    })
    .default({
      host: '127.0.0.1',
      port: 1234,
      apiKeys: [],
      adminApiKeys: [],
      cors: { origins: [] },
      bodyLimit: '4mb',
      shutdownTimeout: 10,
    }),
  log: z
    .strictObject({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') })
    .default({ level: 'info' }),
  memory: z.strictObject({ maxFraction: z.number().gt(0).max(1).default(0.9) }).default({ maxFraction: 0.9 }),
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
      ttl: duration.default(0),
    })
    .default({ parallel: 4, maxQueue: 64, ttl: 0 }),
  models: z.record(z.string().regex(/^[\w.:@/-]+$/, 'model ids use letters, digits and . _ - : @ /'), modelConfigSchema).default({}),
  router: z
    .strictObject({
      strategy: z.string().default('direct'),
      fallbacks: z.record(z.string(), z.array(z.string())).default({}),
    })
    .default({ strategy: 'direct', fallbacks: {} }),
  plugins: z.array(pluginEntrySchema).default([]),
});

/** The validated configuration, with defaults applied. */
export type LlmuxConfig = z.output<typeof configSchema>;
/** The configuration as a user writes it. */
export type LlmuxConfigInput = z.input<typeof configSchema>;
export type ModelConfig = z.output<typeof modelConfigSchema>;
export type GenerationDefaults = z.output<typeof generationDefaultsSchema>;
