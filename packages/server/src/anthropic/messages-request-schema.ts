import { z } from 'zod';

const textBlock = z.object({ type: z.literal('text'), text: z.string() }).loose();
const imageBlock = z
  .object({
    type: z.literal('image'),
    source: z.union([
      z.object({ type: z.literal('base64'), media_type: z.string(), data: z.string() }),
      z.object({ type: z.literal('url'), url: z.string() }),
    ]),
  })
  .loose();
const toolUseBlock = z
  .object({ type: z.literal('tool_use'), id: z.string().min(1), name: z.string().min(1), input: z.record(z.string(), z.unknown()) })
  .loose();
const toolResultBlock = z
  .object({
    type: z.literal('tool_result'),
    tool_use_id: z.string().min(1),
    content: z.union([z.string(), z.array(z.union([textBlock, imageBlock]))]).optional(),
    is_error: z.boolean().optional(),
  })
  .loose();
// Thinking blocks an earlier turn returned: accepted in history and left out of the prompt.
const thinkingBlock = z.object({ type: z.enum(['thinking', 'redacted_thinking']) }).loose();
const contentBlock = z.discriminatedUnion('type', [textBlock, imageBlock, toolUseBlock, toolResultBlock, thinkingBlock]);

const messageSchema = z.object({
  role: z.enum(['user', 'assistant']),
  content: z.union([z.string(), z.array(contentBlock)]),
});

const toolSchema = z
  .object({
    name: z.string().regex(/^[\w-]{1,128}$/, 'tool names use letters, digits, _ and -, at most 128'),
    description: z.string().optional(),
    input_schema: z.record(z.string(), z.unknown()),
    type: z.literal('custom').optional(),
  })
  .loose();

const toolChoiceSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('auto'), disable_parallel_tool_use: z.boolean().optional() }),
  z.object({ type: z.literal('any'), disable_parallel_tool_use: z.boolean().optional() }),
  z.object({ type: z.literal('tool'), name: z.string().min(1), disable_parallel_tool_use: z.boolean().optional() }),
  z.object({ type: z.literal('none') }),
]);

/** The fields `/v1/messages` and `/v1/messages/count_tokens` share. */
const promptFields = {
  model: z.string().min(1),
  messages: z.array(messageSchema).min(1, 'messages must hold at least one message'),
  system: z.union([z.string(), z.array(textBlock)]).optional(),
  tools: z.array(toolSchema).optional(),
  tool_choice: toolChoiceSchema.optional(),
};

/** `POST /v1/messages`: Anthropic's fields and ranges; unknown fields are ignored. */
export const messagesRequestSchema = z.object({
  ...promptFields,
  max_tokens: z.int().min(1),
  stop_sequences: z.array(z.string()).optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.int().min(0).optional(),
  stream: z.boolean().optional(),
  metadata: z.object({ user_id: z.string().nullish() }).loose().optional(),
});

/** `POST /v1/messages/count_tokens` */
export const countTokensRequestSchema = z.object(promptFields);

export type MessagesRequestBody = z.output<typeof messagesRequestSchema>;
export type CountTokensRequestBody = z.output<typeof countTokensRequestSchema>;
export type AnthropicContentBlock = z.output<typeof contentBlock>;
