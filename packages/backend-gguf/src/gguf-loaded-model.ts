import { LlamaChat, type ChatHistoryItem, type ChatWrapper, type LLamaChatGenerateResponseOptions, type LlamaContext, type LlamaGrammar, type LlamaModel, type Token } from 'node-llama-cpp';
import {
  AbortedError,
  AsyncChannel,
  ContextLengthExceededError,
  GenerationError,
  InvalidRequestError,
  SlotPool,
  UnsupportedFeatureError,
  type ChatRequest,
  type LoadedModel,
  type LoadedModelStats,
  type Logger,
  type MemoryEstimate,
  type ModelCapabilities,
  type StreamOptions,
  type StreamPart,
} from '@llmux/core';
import { toChatHistory } from './chat-history.js';
import { grammarFor } from './response-format-grammar.js';
import { forcedCallWrapper, ToolCallStreamer, toolPlanFor, type ToolPlan } from './tool-calls.js';
import { toFinishReason } from './finish-reason.js';
import { matchedStopSequence, promptTokens } from './prompt-tokens.js';
import { toEngineSampling } from './sampling.js';
import { chooseSlotFor, sharedPrefixLength, type SequenceSlot } from './sequence-slot.js';

export interface GgufLoadedModelParts {
  id: string;
  model: LlamaModel;
  context: LlamaContext;
  chatWrapper: ChatWrapper;
  slots: SequenceSlot[];
  maxQueue: number;
  memory: MemoryEstimate;
  logger: Logger;
}

/**
 * A GGUF model in memory: one llama context with `parallel` sequences. Each request leases a
 * sequence (the one with the best cached prefix); the rest wait in a bounded FIFO queue.
 */
export class GgufLoadedModel implements LoadedModel {
  readonly specificationVersion = 'v1' as const;
  readonly id: string;
  readonly capabilities: ModelCapabilities;
  readonly memory: MemoryEstimate;
  private readonly pool: SlotPool<SequenceSlot>;
  private readonly unloading = new AbortController();
  private readonly running = new Set<Promise<void>>();
  private unloaded: Promise<void> | undefined;

  constructor(private readonly parts: GgufLoadedModelParts) {
    this.id = parts.id;
    this.memory = parts.memory;
    this.pool = new SlotPool(parts.slots, parts.maxQueue, `model '${parts.id}'`);
    this.capabilities = {
      chat: true,
      completion: true,
      embeddings: false,
      tools: true,
      jsonSchema: true,
      logprobs: false,
      vision: false,
      contextLength: parts.context.contextSize,
    };
  }

  /** The chat wrapper's name (e.g. `ChatML`, `Jinja`, `Plain`). */
  get chatTemplate(): string {
    return this.parts.chatWrapper.wrapperName;
  }

  stats(): LoadedModelStats {
    return this.pool.stats();
  }

  async stream(request: ChatRequest, options: StreamOptions = {}): Promise<AsyncIterable<StreamPart>> {
    this.rejectUnsupported(request);
    const plan = toolPlanFor(request);
    const grammar = await grammarFor(this.parts.model.llama, request.responseFormat);
    const history = toChatHistory(request.messages);
    const wrapper = plan?.forced ? forcedCallWrapper(this.parts.chatWrapper) : this.parts.chatWrapper;
    const prompt = wrapper
      .generateContextState({ chatHistory: history, ...(plan ? { availableFunctions: plan.functions, documentFunctionParams: true } : {}) })
      .contextText.tokenize(this.parts.model.tokenizer);
    const contextSize = this.parts.context.contextSize;
    if (prompt.length >= contextSize) throw new ContextLengthExceededError(prompt.length, contextSize);

    const signal = options.signal ? AbortSignal.any([options.signal, this.unloading.signal]) : this.unloading.signal;
    const lease = await this.pool.acquire({ signal, choose: chooseSlotFor(prompt) });
    const channel = new AsyncChannel<StreamPart>();
    const generation: Generation = { history, prompt, request, plan, grammar, wrapper };
    const run = this.generate(lease.slot, generation, signal, channel).finally(() => {
      lease.release();
      this.running.delete(run);
    });
    this.running.add(run);
    return channel;
  }

  async countPromptTokens(request: ChatRequest): Promise<number> {
    const plan = toolPlanFor(request);
    const wrapper = plan?.forced ? forcedCallWrapper(this.parts.chatWrapper) : this.parts.chatWrapper;
    return promptTokens(wrapper, this.parts.model, toChatHistory(request.messages), plan?.functions).length;
  }

  async unload(): Promise<void> {
    this.unloaded ??= (async () => {
      this.pool.close(new AbortedError(`The model '${this.id}' was unloaded.`));
      this.unloading.abort(new AbortedError(`The model '${this.id}' was unloaded.`));
      await Promise.allSettled([...this.running]);
      await this.parts.context.dispose();
      await this.parts.model.dispose();
    })();
    return this.unloaded;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.unload();
  }

  private rejectUnsupported(request: ChatRequest): void {
    const usesTools = (request.tools?.length ?? 0) > 0 && request.toolChoice !== 'none';
    if (usesTools && request.responseFormat && request.responseFormat.type !== 'text') {
      // llama.cpp constrains a generation with one grammar: the function-call grammar or the response's.
      throw new InvalidRequestError("'response_format' cannot be combined with 'tools' on this model: send one, or set 'tool_choice' to 'none'.", {
        param: 'response_format',
      });
    }
    if (request.logprobs) {
      throw new UnsupportedFeatureError(`The model '${this.id}' does not support logprobs yet.`, { param: 'logprobs' });
    }
  }

  private async generate(
    slot: SequenceSlot,
    { history, prompt, request, plan, grammar, wrapper }: Generation,
    signal: AbortSignal,
    channel: AsyncChannel<StreamPart>,
  ): Promise<void> {
    const contextSize = this.parts.context.contextSize;
    const room = contextSize - prompt.length;
    const maxTokens = Math.min(request.maxTokens ?? room, room);
    // LlamaChat keeps the sequence's cached tokens that match the new prompt and evaluates the
    // rest; the last prompt token is always evaluated again to get its logits.
    const cachedPromptTokens = Math.min(sharedPrefixLength(slot.sequence.contextTokens, prompt), prompt.length - 1);
    // The sequence's meter counts every sampled token, function-call tokens included (onToken sees
    // only text tokens).
    const outputTokensBefore = slot.sequence.tokenMeter.usedOutputTokens;
    const usage = () => ({
      promptTokens: prompt.length,
      cachedPromptTokens,
      completionTokens: slot.sequence.tokenMeter.usedOutputTokens - outputTokensBefore,
    });
    const toolCalls = new ToolCallStreamer(channel);
    // A forced call needs the prompt to end inside a call: a driver with that view of the wrapper.
    const chat = wrapper === this.parts.chatWrapper ? slot.chat : new LlamaChat({ contextSequence: slot.sequence, chatWrapper: wrapper });
    try {
      const options: LLamaChatGenerateResponseOptions = {
        ...toEngineSampling(request.sampling, contextSize),
        maxTokens,
        signal,
        stopOnAbortSignal: true,
        ...(request.stop && request.stop.length > 0 ? { customStopTriggers: request.stop } : {}),
        onTextChunk: (text) => {
          if (text) channel.push({ type: 'text-delta', text });
        },
        ...(plan
          ? {
              functions: plan.functions,
              documentFunctionParams: true,
              ...(plan.maxCalls !== undefined ? { maxParallelFunctionCalls: plan.maxCalls } : {}),
              onFunctionCallParamsChunk: (chunk) => toolCalls.onChunk(chunk),
            }
          : grammar
            ? { grammar }
            : {}),
      };
      const result = await chat.generateResponse(history, options);
      toolCalls.finish(result.functionCalls ?? []);
      const raw = result.metadata.stopReason;
      const stopSequence =
        result.metadata.stopReason === 'customStopTrigger'
          ? matchedStopSequence(result.metadata.customStopTrigger, request.stop, this.parts.model)
          : undefined;
      channel.push({ type: 'finish', reason: toFinishReason(raw), raw, usage: usage(), ...(stopSequence !== undefined ? { stopSequence } : {}) });
    } catch (error) {
      if (signal.aborted) {
        channel.push({ type: 'finish', reason: 'abort', raw: 'abort', usage: usage() });
      } else {
        this.parts.logger.error({ err: error, model: this.id }, 'generation failed');
        channel.push({
          type: 'finish',
          reason: 'error',
          raw: 'error',
          usage: usage(),
          error: new GenerationError(`Generation failed on model '${this.id}'.`, { cause: error }),
        });
      }
    } finally {
      if (chat !== slot.chat) chat.dispose({ disposeSequence: false });
      channel.end();
    }
  }
}

/** What one admitted chat request generates from. */
interface Generation {
  history: ChatHistoryItem[];
  prompt: readonly Token[];
  request: ChatRequest;
  plan: ToolPlan | undefined;
  grammar: LlamaGrammar | undefined;
  wrapper: ChatWrapper;
}
