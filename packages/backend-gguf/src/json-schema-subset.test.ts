import { describe, expect, it } from 'vitest';
import { UnsupportedFeatureError } from '@llmux/core';
import { toGrammarSchema } from './json-schema-subset.js';

const param = 'response_format.json_schema.schema';

describe('toGrammarSchema', () => {
  it('keeps what a grammar enforces, drops annotations and maps anyOf to oneOf', () => {
    const schema = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      title: 'Person',
      type: 'object',
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 20, description: 'full name' },
        born: { type: 'string', format: 'date' },
        tags: { type: 'array', items: { enum: ['a', 'b'] }, maxItems: 3 },
        pet: { anyOf: [{ type: 'null' }, { $ref: '#/$defs/pet' }] },
      },
      required: ['name'],
      additionalProperties: false,
      $defs: { pet: { type: 'object', properties: { kind: { const: 'cat' } } } },
    };
    expect(toGrammarSchema(schema, param)).toEqual({
      type: 'object',
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 20, description: 'full name' },
        born: { type: 'string', format: 'date' },
        tags: { type: 'array', items: { enum: ['a', 'b'] }, maxItems: 3 },
        pet: { oneOf: [{ type: 'null' }, { $ref: '#/$defs/pet' }] },
      },
      required: ['name'],
      additionalProperties: false,
      $defs: { pet: { type: 'object', properties: { kind: { const: 'cat' } } } },
    });
  });

  it.each([
    [{ type: 'object', properties: { age: { type: 'integer', minimum: 0 } } }, `${param}.properties.age.minimum`],
    [{ type: 'string', pattern: '^a' }, `${param}.pattern`],
    [{ type: 'string', format: 'email' }, `${param}.format`],
    [{ allOf: [{ type: 'string' }] }, `${param}.allOf`],
    [{ type: 'array', items: { type: 'string' }, uniqueItems: true }, `${param}.uniqueItems`],
    [{ $ref: 'https://example.com/schema' }, `${param}.$ref`],
    [{ type: 'object', properties: { x: { type: 'strnig' } } }, `${param}.properties.x.type`],
  ])('rejects what it cannot enforce, naming where: %j', (schema, where) => {
    let error: unknown;
    try {
      toGrammarSchema(schema, param);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UnsupportedFeatureError);
    expect((error as UnsupportedFeatureError).param).toBe(where);
  });
});
