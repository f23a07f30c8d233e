import type { Llama, LlamaGrammar } from 'node-llama-cpp';
import { UnsupportedFeatureError, type ResponseFormat } from '@llmux/core';
import { toGrammarSchema } from './json-schema-subset.js';

/**
 * The grammar that enforces a `response_format`: llama.cpp's JSON grammar for `json_object`,
 * one built from the schema for `json_schema`; undefined for plain text.
 */
export async function grammarFor(llama: Llama, format: ResponseFormat | undefined): Promise<LlamaGrammar | undefined> {
  if (!format || format.type === 'text') return undefined;
  if (format.type === 'json_object') return llama.getGrammarFor('json');
  const param = 'response_format.json_schema.schema';
  const schema = toGrammarSchema(format.schema, param);
  try {
    // The schema is only known at run time, so the generic inference has nothing to narrow.
    return await llama.createGrammarForJsonSchema(schema as Parameters<Llama['createGrammarForJsonSchema']>[0]);
  } catch (error) {
    throw new UnsupportedFeatureError(
      `The JSON schema cannot be turned into a grammar: ${error instanceof Error ? error.message : String(error)}`,
      { param, cause: error },
    );
  }
}
