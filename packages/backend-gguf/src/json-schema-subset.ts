import type { GbnfJsonSchema } from 'node-llama-cpp';
import { UnsupportedFeatureError } from '@llmux/core';

/** Keywords the grammar enforces, per value kind. */
const ENFORCED = new Set([
  'type', 'enum', 'const', 'oneOf', 'anyOf', 'properties', 'required', 'additionalProperties', 'minProperties',
  'maxProperties', 'items', 'prefixItems', 'minItems', 'maxItems', 'minLength', 'maxLength', 'format', '$ref', '$defs',
]);
/** Annotations: they describe a value but do not constrain it, so ignoring them is correct. */
const ANNOTATIONS = new Set(['title', 'description', '$schema', '$id', '$comment', 'examples', 'default', 'deprecated', 'readOnly', 'writeOnly']);
const TYPES = new Set(['string', 'number', 'integer', 'boolean', 'null', 'object', 'array']);
const FORMATS = new Set(['date-time', 'date', 'time']);

/**
 * Checks that a JSON schema uses only what llama.cpp grammars can enforce and returns it in
 * node-llama-cpp's dialect (`anyOf` becomes `oneOf`: a grammar alternation matches any branch).
 * A keyword that the grammar could not guarantee is rejected, naming where it is, instead of
 * being silently ignored: a client asking for `pattern` or `minimum` must not get output that
 * breaks it. `param` is the request field that holds the schema.
 */
export function toGrammarSchema(schema: unknown, param: string): GbnfJsonSchema {
  return convert(schema, param, schema) as GbnfJsonSchema;
}

function convert(node: unknown, path: string, root: unknown): unknown {
  // `true` is JSON Schema's "any value".
  if (node === true) return {};
  if (typeof node !== 'object' || node === null || Array.isArray(node)) {
    throw new UnsupportedFeatureError(`The JSON schema at '${path}' must be an object.`, { param: path });
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
    const at = `${path}.${key}`;
    if (ANNOTATIONS.has(key)) {
      if (key === 'description') out[key] = value;
      continue;
    }
    if (!ENFORCED.has(key)) {
      throw new UnsupportedFeatureError(
        `The JSON schema keyword '${key}' (at '${at}') cannot be enforced by this model's grammar; remove it. Supported: ${[...ENFORCED].join(', ')}.`,
        { param: at },
      );
    }
    out[key === 'anyOf' ? 'oneOf' : key] = convertKeyword(key, value, at, root);
  }
  return out;
}

function convertKeyword(key: string, value: unknown, at: string, root: unknown): unknown {
  switch (key) {
    case 'type': {
      const types = Array.isArray(value) ? value : [value];
      for (const type of types) {
        if (typeof type !== 'string' || !TYPES.has(type)) throw new UnsupportedFeatureError(`Unknown JSON schema type ${JSON.stringify(type)} at '${at}'.`, { param: at });
      }
      return value;
    }
    case 'format':
      if (typeof value !== 'string' || !FORMATS.has(value)) {
        throw new UnsupportedFeatureError(`The JSON schema format ${JSON.stringify(value)} (at '${at}') cannot be enforced; supported formats: ${[...FORMATS].join(', ')}.`, {
          param: at,
        });
      }
      return value;
    case 'oneOf':
    case 'anyOf':
    case 'prefixItems':
      return list(value, at).map((item, index) => convert(item, `${at}[${index}]`, root));
    case 'properties':
    case '$defs':
      return Object.fromEntries(Object.entries(record(value, at)).map(([name, item]) => [name, convert(item, `${at}.${name}`, root)]));
    case 'items':
      return convert(value, at, root);
    case 'additionalProperties':
      return typeof value === 'boolean' ? value : convert(value, at, root);
    case '$ref':
      if (typeof value !== 'string' || !/^#\/\$defs\/[^/]+$/.test(value)) {
        throw new UnsupportedFeatureError(`Only local references of the form '#/$defs/<name>' are supported (at '${at}').`, { param: at });
      }
      return value;
    default:
      // enum, const, required and the numeric bounds of strings, arrays and objects pass as they are.
      return value;
  }
}

function list(value: unknown, at: string): unknown[] {
  if (!Array.isArray(value)) throw new UnsupportedFeatureError(`'${at}' must be an array.`, { param: at });
  return value;
}

function record(value: unknown, at: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UnsupportedFeatureError(`'${at}' must be an object.`, { param: at });
  return value as Record<string, unknown>;
}
