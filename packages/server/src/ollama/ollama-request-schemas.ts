import { z } from 'zod';

/** Ollama's model options; unknown ones are ignored, as Ollama ignores them. */
export const optionsSchema = z
  .object({
    temperature: z.number().min(0).max(2).optional(),
    top_p: z.number().min(0).max(1).optional(),
    top_k: z.int().min(0).optional(),
    min_p: z.number().min(0).max(1).optional(),
    num_predict: z.int().min(-2).optional(),
    num_ctx: z.int().min(1).optional(),
    seed: z.int().optional(),
    stop: z.array(z.string()).optional(),
    repeat_penalty: z.number().min(0).optional(),
    presence_penalty: z.number().min(-2).max(2).optional(),
    frequency_penalty: z.number().min(-2).max(2).optional(),
  })
  .loose();

/** `"json"`, a JSON schema, or empty for free text. */
const formatSchema = z.union([z.literal(''), z.literal('json'), z.record(z.string(), z.unknown())]);

/** Seconds as a number, or a Go duration string (`"5m"`, `"1h"`, `"-1"`); negative = forever, 0 = unload now. */
const keepAliveSchema = z.union([z.number(), z.string()]);

const toolCallSchema = z.object({
  function: z.object({ name: z.string().min(1), arguments: z.record(z.string(), z.unknown()).default({}) }),
});

const messageSchema = z.object({
  role: z.enum(['system', 'user', 'assistant', 'tool']),
  content: z.string().default(''),
  images: z.array(z.string()).nullish(),
  tool_calls: z.array(toolCallSchema).nullish(),
  tool_name: z.string().optional(),
  thinking: z.string().optional(),
});

const toolSchema = z.object({
  type: z.literal('function').default('function'),
  function: z.object({
    name: z.string().regex(/^[\w-]{1,64}$/, 'function names use letters, digits, _ and -, at most 64'),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
  }),
});

const common = {
  model: z.string().min(1),
  format: formatSchema.nullish(),
  options: optionsSchema.nullish(),
  stream: z.boolean().nullish(),
  keep_alive: keepAliveSchema.nullish(),
};

/** `POST /api/chat` */
export const chatRequestSchema = z.object({
  ...common,
  messages: z.array(messageSchema).default([]),
  tools: z.array(toolSchema).nullish(),
});

/** `POST /api/generate` */
export const generateRequestSchema = z.object({
  ...common,
  prompt: z.string().default(''),
  system: z.string().nullish(),
  suffix: z.string().nullish(),
  template: z.string().nullish(),
  context: z.array(z.int()).nullish(),
  raw: z.boolean().nullish(),
  images: z.array(z.string()).nullish(),
});

/** `POST /api/embed` */
export const embedRequestSchema = z.object({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(z.string()).min(1)]),
  truncate: z.boolean().nullish(),
  dimensions: z.int().min(1).nullish(),
  options: optionsSchema.nullish(),
  keep_alive: keepAliveSchema.nullish(),
});

/** `POST /api/embeddings` (the older endpoint: one prompt, one vector) */
export const legacyEmbeddingsRequestSchema = z.object({
  model: z.string().min(1),
  prompt: z.string(),
  options: optionsSchema.nullish(),
  keep_alive: keepAliveSchema.nullish(),
});

/** `POST /api/show`, `DELETE /api/delete`: `model`, or the older `name`. */
export const modelNameSchema = z
  .object({ model: z.string().min(1).optional(), name: z.string().min(1).optional() })
  .refine((body) => body.model !== undefined || body.name !== undefined, { message: "missing required field 'model'", path: ['model'] });

/** `POST /api/pull` */
export const pullRequestSchema = z
  .object({ model: z.string().min(1).optional(), name: z.string().min(1).optional(), insecure: z.boolean().optional(), stream: z.boolean().nullish() })
  .refine((body) => body.model !== undefined || body.name !== undefined, { message: "missing required field 'model'", path: ['model'] });

export type OllamaOptions = z.output<typeof optionsSchema>;
export type OllamaChatRequest = z.output<typeof chatRequestSchema>;
export type OllamaGenerateRequest = z.output<typeof generateRequestSchema>;
export type OllamaFormat = z.output<typeof formatSchema>;
