import type { z } from 'zod';
import { InvalidRequestError } from '@llmux/core';

/**
 * Parses a request body with a zod schema. A failure is a 400 that names the first bad
 * field as OpenAI does (`messages[0].content`) and says what was expected.
 */
export function validateBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidRequestError("The request body must be a JSON object sent with 'Content-Type: application/json'.");
  }
  const parsed = schema.safeParse(body, { reportInput: true });
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const param = formatPath(issue.path);
  const more = parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more problems)` : '';
  const message = param ? `Invalid '${param}': ${describe(issue)}${more}` : `Invalid request: ${describe(issue)}${more}`;
  throw new InvalidRequestError(message, param ? { param } : {});
}

function describe(issue: z.core.$ZodIssue): string {
  if (issue.input === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_union')) {
    return issue.code === 'invalid_type' ? `missing required field (expected ${issue.expected})` : 'missing required field';
  }
  if (issue.code === 'invalid_union') return `${issue.message}: got ${JSON.stringify(issue.input)?.slice(0, 80)}`;
  return issue.message;
}

/** `['messages', 0, 'content']` -> `messages[0].content` */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}
