import { randomBytes } from 'node:crypto';
import { LlamaText, type ChatModelFunctions, type ChatWrapper, type ChatWrapperGeneratedContextState } from 'node-llama-cpp';
import { InvalidRequestError, type AsyncChannel, type ChatRequest, type StreamPart } from '@llmux/core';
import { toGrammarSchema } from './json-schema-subset.js';

/** How a request lets the model call tools. */
export interface ToolPlan {
  /** The functions the model sees and may call (only the named one when `tool_choice` names one). */
  functions: ChatModelFunctions;
  /** `required` or a named function: the response must start with a call. */
  forced: boolean;
  /** At most this many calls in one response (1 when `parallel_tool_calls` is false). */
  maxCalls?: number;
}

/** The tool plan of a request; undefined when the model must answer in text (no tools, or `tool_choice: none`). */
export function toolPlanFor(request: ChatRequest): ToolPlan | undefined {
  const tools = request.tools ?? [];
  const choice = request.toolChoice ?? 'auto';
  if (tools.length === 0) {
    if (choice !== 'auto' && choice !== 'none') {
      throw new InvalidRequestError("'tool_choice' asks for a tool call but the request has no 'tools'.", { param: 'tool_choice' });
    }
    return undefined;
  }
  if (choice === 'none') return undefined;
  if (typeof choice === 'object' && !tools.some((tool) => tool.name === choice.name)) {
    throw new InvalidRequestError(`'tool_choice' names the function '${choice.name}', which is not in 'tools'.`, { param: 'tool_choice' });
  }
  const functions: Record<string, ChatModelFunctions[string]> = {};
  tools.forEach((tool, index) => {
    if (typeof choice === 'object' && tool.name !== choice.name) return;
    functions[tool.name] = {
      ...(tool.description !== undefined ? { description: tool.description } : {}),
      ...(tool.parameters !== undefined && Object.keys(tool.parameters).length > 0
        ? { params: toGrammarSchema(tool.parameters, `tools[${index}].function.parameters`) }
        : {}),
    };
  });
  return { functions, forced: choice !== 'auto', ...(request.parallelToolCalls === false ? { maxCalls: 1 } : {}) };
}

/** An OpenAI-style tool call id. */
export function newToolCallId(): string {
  return `call_${randomBytes(12).toString('base64url')}`;
}

/**
 * A view of a chat wrapper whose rendered prompt ends inside a function call: the wrapper's own
 * call prefix is appended and node-llama-cpp is told the call is already engaged, so the model
 * must go on with a function name (constrained by the name grammar) and then its arguments
 * (constrained by the parameters' grammar). This is how `tool_choice: required` and a named
 * `tool_choice` force a call in the model's native syntax. A Proxy keeps every other behaviour
 * of the wrapped class, whatever its concrete type.
 */
export function forcedCallWrapper(wrapper: ChatWrapper): ChatWrapper {
  return new Proxy(wrapper, {
    get(target, property, receiver) {
      if (property !== 'generateContextState') return Reflect.get(target, property, receiver);
      return (...args: Parameters<ChatWrapper['generateContextState']>): ChatWrapperGeneratedContextState => {
        const state = target.generateContextState.apply(receiver, args);
        // Templates that already end their prompt inside a call (Functionary) only lose the way out
        // to text; the others get their call section's opening and the call prefix appended.
        const engaged = state.functionCall?.initiallyEngaged === true;
        const functions = target.settings.functions;
        const opening = engaged ? [] : [functions.parallelism?.call.sectionPrefix ?? '', functions.call.prefix];
        return {
          ...state,
          contextText: LlamaText([state.contextText, ...opening]),
          functionCall: { initiallyEngaged: true, disengageInitiallyEngaged: [] },
        } as ChatWrapperGeneratedContextState;
      };
    },
  });
}

/**
 * Turns node-llama-cpp's function-call parameter chunks into tool-call stream parts: a start
 * (id, name) when a call begins, argument fragments, and an end. Whitespace the grammar lets
 * the model add after the closing brace is held back and dropped, so the streamed fragments
 * join to exactly the arguments text.
 */
export class ToolCallStreamer {
  private readonly ids: string[] = [];
  private readonly ended = new Set<number>();
  private pendingWhitespace = '';

  constructor(private readonly channel: AsyncChannel<StreamPart>) {}

  get callCount(): number {
    return this.ids.length;
  }

  onChunk(chunk: { callIndex: number; functionName: string; paramsChunk: string; done: boolean }): void {
    this.start(chunk.callIndex, chunk.functionName);
    const text = this.pendingWhitespace + chunk.paramsChunk;
    const body = text.trimEnd();
    this.pendingWhitespace = text.slice(body.length);
    if (body) this.channel.push({ type: 'tool-call-delta', index: chunk.callIndex, argumentsDelta: body });
    if (chunk.done) this.end(chunk.callIndex);
  }

  /** Closes the calls the result holds, including those without parameters (which send no chunk). */
  finish(calls: readonly { functionName: string; params?: unknown }[]): void {
    calls.forEach((call, index) => {
      const fresh = this.start(index, call.functionName);
      if (fresh) this.channel.push({ type: 'tool-call-delta', index, argumentsDelta: JSON.stringify(call.params ?? {}) });
      this.end(index);
    });
  }

  private start(index: number, name: string): boolean {
    if (this.ids[index] !== undefined) return false;
    this.ids[index] = newToolCallId();
    this.pendingWhitespace = '';
    this.channel.push({ type: 'tool-call-start', index, id: this.ids[index]!, name });
    return true;
  }

  private end(index: number): void {
    if (this.ended.has(index)) return;
    this.ended.add(index);
    this.pendingWhitespace = '';
    this.channel.push({ type: 'tool-call-end', index });
  }
}
