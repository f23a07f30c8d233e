import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ChatMLChatWrapper,
  FunctionaryChatWrapper,
  getLlama,
  Llama3_1ChatWrapper,
  LlamaChat,
  QwenChatWrapper,
  type ChatWrapper,
  type LlamaContext,
  type LlamaModel,
} from 'node-llama-cpp';
import { forcedCallWrapper, toolPlanFor } from './tool-calls.js';

const MODELS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../models');
const functions = {
  get_weather: { description: 'The weather of a city', params: { type: 'object', properties: { city: { enum: ['Paris', 'Rome'] } } } },
  get_time: { description: 'The time now', params: { type: 'object', properties: { zone: { enum: ['UTC', 'CET'] } } } },
} as const;

let model: LlamaModel;
let context: LlamaContext;
beforeAll(async () => {
  const llama = await getLlama({ gpu: false, build: 'never' });
  model = await llama.loadModel({ modelPath: path.join(MODELS, 'brown-llama-1m-Q8_0.gguf') });
  context = await model.createContext({ contextSize: 2048, sequences: 1, threads: 1 });
});
afterAll(async () => {
  await context?.dispose();
  await model?.dispose();
});

describe('forcedCallWrapper', () => {
  // brown knows none of these syntaxes: without the forcing it writes prose, with it the grammar
  // takes it through each template's own call syntax.
  it.each<[string, () => ChatWrapper]>([
    ['ChatML (generic syntax)', () => new ChatMLChatWrapper()],
    ['Llama 3.1', () => new Llama3_1ChatWrapper()],
    ['Qwen', () => new QwenChatWrapper()],
    ['Functionary (prompt already inside a call)', () => new FunctionaryChatWrapper()],
  ])('makes the response a call with the %s template', async (_name, makeWrapper) => {
    const sequence = context.getSequence();
    const chat = new LlamaChat({ contextSequence: sequence, chatWrapper: forcedCallWrapper(makeWrapper()) });
    try {
      const history = [
        { type: 'user' as const, text: 'What is the weather in Rome?' },
        { type: 'model' as const, response: [] },
      ];
      const result = await chat.generateResponse(history, { functions, temperature: 0, maxTokens: 80, maxParallelFunctionCalls: 1 });
      expect(result.metadata.stopReason).toBe('functionCalls');
      expect(result.functionCalls).toHaveLength(1);
      const [call] = result.functionCalls!;
      expect(Object.keys(functions)).toContain(call!.functionName);
    } finally {
      chat.dispose();
      sequence.dispose();
    }
  });
});

describe('toolPlanFor', () => {
  const tools = [
    { name: 'a', parameters: { type: 'object', properties: { x: { type: 'string' } } } },
    { name: 'b', description: 'no parameters' },
  ];
  const base = { model: 'm', messages: [], sampling: {} };

  it('shows every tool for auto and required, only the named one for a named choice, none for none', () => {
    expect(Object.keys(toolPlanFor({ ...base, tools })!.functions)).toEqual(['a', 'b']);
    expect(toolPlanFor({ ...base, tools })!.forced).toBe(false);
    expect(toolPlanFor({ ...base, tools, toolChoice: 'required' })!.forced).toBe(true);
    const named = toolPlanFor({ ...base, tools, toolChoice: { name: 'b' }, parallelToolCalls: false })!;
    expect(Object.keys(named.functions)).toEqual(['b']);
    expect(named).toMatchObject({ forced: true, maxCalls: 1 });
    expect(toolPlanFor({ ...base, tools, toolChoice: 'none' })).toBeUndefined();
    expect(toolPlanFor(base)).toBeUndefined();
  });
});
