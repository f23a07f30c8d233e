import type { CascadeCheck, ChatRequest, StreamPart } from '@llmux/core';
import { Ajv } from 'ajv';

const ajv = new Ajv({ strict: false, allErrors: false });

/** Why an answer fails a cascade's checks, or undefined when it passes. */
export function failedCheck(
  parts: readonly StreamPart[],
  request: Omit<ChatRequest, 'model'>,
  checks: readonly CascadeCheck[],
): string | undefined {
  const finish = parts.find((p): p is Extract<StreamPart, { type: 'finish' }> => p.type === 'finish');
  const text = parts.map((p) => (p.type === 'text-delta' ? p.text : '')).join('');
  const hasToolCall = parts.some((p) => p.type === 'tool-call-start');
  if (!finish || finish.reason === 'error' || finish.reason === 'abort') return 'no complete answer';
  if (checks.includes('length') && finish.reason === 'length') return 'stopped at the token limit';
  if (checks.includes('empty') && !hasToolCall && text.trim() === '') return 'empty answer';
  const format = request.responseFormat;
  if (format && format.type !== 'text' && (checks.includes('invalid_json') || checks.includes('schema'))) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return 'answer is not valid JSON';
    }
    if (format.type === 'json_schema' && checks.includes('schema')) {
      const validate = ajv.compile(format.schema);
      if (!validate(value)) return `answer does not match the schema (${ajv.errorsText(validate.errors)})`;
    }
  }
  return undefined;
}
