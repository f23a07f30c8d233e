import { z } from 'zod';

const inputText = z.object({ type: z.literal('input_text'), text: z.string() });
const outputText = z.object({ type: z.literal('output_text'), text: z.string() }).loose();
const inputImage = z.object({ type: z.literal('input_image'), image_url: z.string().nullish() }).loose();
const refusal = z.object({ type: z.literal('refusal'), refusal: z.string() });
const otherPart = z.object({ type: z.enum(['input_file', 'input_audio']) }).loose();
const contentPart = z.discriminatedUnion('type', [inputText, outputText, inputImage, refusal, otherPart]);

const messageItem = z
  .object({
    type: z.literal('message').optional(),
    role: z.enum(['user', 'assistant', 'system', 'developer']),
    content: z.union([z.string(), z.array(contentPart)]),
  })
  .loose();
const functionCallItem = z
  .object({ type: z.literal('function_call'), call_id: z.string().min(1), name: z.string().min(1), arguments: z.string() })
  .loose();
const functionCallOutputItem = z
  .object({
    type: z.literal('function_call_output'),
    call_id: z.string().min(1),
    output: z.union([z.string(), z.array(contentPart)]),
  })
  .loose();
// Reasoning items an earlier response returned: accepted in the input and left out of the prompt.
const reasoningItem = z.object({ type: z.literal('reasoning') }).loose();
// Items that need server-side state or tools llmux does not run: named so the mapper can say so.
const KNOWN_ITEMS = ['message', 'function_call', 'function_call_output', 'reasoning'];
const otherItem = z
  .object({ type: z.string().refine((type) => !KNOWN_ITEMS.includes(type), 'a known item type with invalid fields') })
  .loose();
const inputItem = z.union([messageItem, functionCallItem, functionCallOutputItem, reasoningItem, otherItem]);

const functionTool = z.object({
  type: z.literal('function'),
  name: z.string().regex(/^[\w-]{1,64}$/, 'function names use letters, digits, _ and -, at most 64'),
  description: z.string().nullish(),
  parameters: z.record(z.string(), z.unknown()).nullish(),
  strict: z.boolean().nullish(),
});
const otherTool = z.object({ type: z.string().refine((type) => type !== 'function', 'a function tool with invalid fields') }).loose();

const textFormat = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  z.object({
    type: z.literal('json_schema'),
    name: z.string().regex(/^[\w-]{1,64}$/),
    schema: z.record(z.string(), z.unknown()),
    description: z.string().optional(),
    strict: z.boolean().nullish(),
  }),
]);

/** `POST /v1/responses`: OpenAI's fields; unknown fields are ignored, as OpenAI does. */
export const responsesRequestSchema = z.object({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(inputItem).min(1, 'input must hold at least one item')]),
  instructions: z.string().nullish(),
  max_output_tokens: z.int().min(1).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  tools: z.array(z.union([functionTool, otherTool])).nullish(),
  tool_choice: z
    .union([z.enum(['none', 'auto', 'required']), z.object({ type: z.literal('function'), name: z.string().min(1) }), otherTool])
    .nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  text: z.object({ format: textFormat.optional() }).loose().nullish(),
  stream: z.boolean().nullish(),
  store: z.boolean().nullish(),
  previous_response_id: z.string().nullish(),
  conversation: z.unknown().optional(),
  background: z.boolean().nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
  user: z.string().nullish(),
});

export type ResponsesRequestBody = z.output<typeof responsesRequestSchema>;
export type ResponsesInputItem = z.output<typeof inputItem>;
export type ResponsesContentPart = z.output<typeof contentPart>;
