import {
  LlamaChat,
  type ChatHistoryItem,
  type ChatWrapper,
  type LLamaChatGenerateResponseOptions,
  type LlamaContext,
  type LlamaEmbeddingContext,
  type LlamaGrammar,
  type LlamaModel,
  type LlamaText,
  type Token,
  type TokenBias,
} from 'node-llama-cpp';
import {
  AbortedError,
  AsyncChannel,
  BackendUnavailableError,
  ContextLengthExceededError,
  GenerationError,
  InvalidRequestError,
  UnsupportedFeatureError,
  SlotPool,
  type ChatRequest,
  type CompletionRequest,
  type EmbedResult,
  type LoadedModel,
  type LoadedModelStats,
  type Logger,
  type MemoryEstimate,
  type ModelCapabilities,
  type StreamOptions,
  type StreamPart,
} from '@llmux/core';
import { toChatHistory } from './chat-history.js';
import { hasSegments } from './chat-wrapper.js';
import { setContextIdle } from './context-idle.js';
import { grammarFor } from './response-format-grammar.js';
import { forcedCallWrapper, ToolCallStreamer, toolPlanFor, type ToolPlan } from './tool-calls.js';
import { toFinishReason } from './finish-reason.js';
import { matchedStopSequence, promptTokens } from './prompt-tokens.js';
import { completionPrompt } from './completion-prompt.js';
import { embedAll } from './embedding.js';
import { requestSignal } from './request-signal.js';
import { toEngineSampling, toTokenBias } from './sampling.js';
import { prefillPrompt } from './prompt-prefill.js';
import type { PromptCache } from './prompt-cache.js';
import { generateTokens, type TokenGenerationRequest } from './token-generation.js';
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
  /** Sequence states kept beyond the sequences (absent: off). */
  promptCache?: PromptCache;
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
  private embeddingContext: Promise<LlamaEmbeddingContext> | undefined;

  constructor(private readonly parts: GgufLoadedModelParts) {
    this.id = parts.id;
    this.memory = parts.memory;
    this.pool = new SlotPool(parts.slots, parts.maxQueue, `model '${parts.id}'`);
    this.capabilities = {
      chat: true,
      completion: true,
      embeddings: true,
      tools: true,
      jsonSchema: true,
      logprobs: true,
      vision: false,
      contextLength: parts.context.contextSize,
    };
  }

  /** The chat wrapper's name (e.g. `ChatML`, `Jinja`, `Plain`). */
  get chatTemplate(): string {
    return this.parts.chatWrapper.wrapperName;
  }

  stats(): LoadedModelStats {
    const cache = this.parts.promptCache;
    return cache ? { ...this.pool.stats(), promptCache: cache.stats() } : this.pool.stats();
  }

  async stream(request: ChatRequest, options: StreamOptions = {}): Promise<AsyncIterable<StreamPart>> {
    if (this.unloaded) throw new BackendUnavailableError(`The model '${this.id}' was unloaded.`);
    this.rejectUnsupported(request);
    const plan = toolPlanFor(request);
    const grammar = await grammarFor(this.parts.model.llama, request.responseFormat);
    const tokenBias = this.tokenBiasFor(request.sampling.logitBias);
    const history = toChatHistory(request.messages);
    const wrapper = plan?.forced ? forcedCallWrapper(this.parts.chatWrapper) : this.parts.chatWrapper;
    const state = wrapper.generateContextState({
      chatHistory: history,
      ...(plan ? { availableFunctions: plan.functions, documentFunctionParams: true } : {}),
    });
    const prompt = state.contextText.tokenize(this.parts.model.tokenizer);
    this.checkContext(prompt);
    // LlamaChat drives tool calls and templates with reasoning segments (it parses both as they
    // are generated); every other chat generates from the prompt just rendered.
    if (request.logprobs || (!plan && !hasSegments(wrapper))) {
      const stops = this.stopsOf(state.stopGenerationTriggers);
      const tokenRequest: TokenGenerationRequest = {
        prompt,
        sampling: request.sampling,
        maxTokens: this.roomFor(prompt, request.maxTokens),
        stop: request.stop ?? [],
        endTexts: stops.texts,
        stopTokens: stops.tokens,
        logprobs: request.logprobs,
        ...(grammar ? { grammar } : {}),
        ...(tokenBias ? { tokenBias } : {}),
      };
      return this.start(prompt, options.signal, (slot, signal, channel) => this.generateTokens(slot, tokenRequest, signal, channel));
    }
    const generation: Generation = { history, prompt, request, plan, grammar, tokenBias, wrapper };
    return this.start(prompt, options.signal, (slot, signal, channel) => this.generate(slot, generation, signal, channel));
  }

  async complete(request: CompletionRequest, options: StreamOptions = {}): Promise<AsyncIterable<StreamPart>> {
    const tokenBias = this.tokenBiasFor(request.sampling.logitBias);
    const prompt = completionPrompt(this.parts.model, request, this.id);
    this.checkContext(prompt, 'prompt');
    const tokenRequest: TokenGenerationRequest = {
      prompt,
      sampling: request.sampling,
      maxTokens: this.roomFor(prompt, request.maxTokens),
      stop: request.stop ?? [],
      ...(request.logprobs ? { logprobs: request.logprobs } : {}),
      ...(tokenBias ? { tokenBias } : {}),
    };
    return this.start(prompt, options.signal, (slot, signal, channel) => this.generateTokens(slot, tokenRequest, signal, channel));
  }

  async embed(input: string[] | number[][], options: StreamOptions = {}): Promise<EmbedResult> {
    options.signal?.throwIfAborted();
    if (this.unloading.signal.aborted) throw new AbortedError(`The model '${this.id}' was unloaded.`);
    // Created on the first request: a second llama context, which chat-only deployments never pay for.
    this.embeddingContext ??= this.parts.model
      .createEmbeddingContext({ contextSize: this.parts.context.contextSize, threads: this.parts.context.currentThreads })
      .catch((error: unknown) => {
        throw new UnsupportedFeatureError(`The model '${this.id}' cannot compute embeddings: ${error instanceof Error ? error.message : String(error)}`, {
          param: 'model',
          cause: error,
        });
      });
    const run = this.embeddingContext.then((context) => embedAll(context, input, this.parts.context.contextSize));
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.running.add(settled);
    return run.finally(() => this.running.delete(settled));
  }

  async tokenize(text: string): Promise<number[]> {
    return this.parts.model.tokenize(text);
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
      if (this.embeddingContext) await (await this.embeddingContext.catch(() => undefined))?.dispose();
      await this.parts.promptCache?.clear();
      await this.parts.context.dispose();
      await this.parts.model.dispose();
    })();
    return this.unloaded;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.unload();
  }

  /** Leases a sequence for a prompt (the one with the best cached prefix) and runs a generation on it; the stream ends when it does. */
  private async start(
    prompt: readonly Token[],
    clientSignal: AbortSignal | undefined,
    body: (slot: SequenceSlot, signal: AbortSignal, channel: AsyncChannel<StreamPart>) => Promise<void>,
  ): Promise<AsyncIterable<StreamPart>> {
    const { signal, release } = requestSignal(clientSignal, this.unloading.signal);
    const cache = this.parts.promptCache;
    const lease = await this.pool.acquire({ signal, choose: chooseSlotFor(prompt, this.parts.slots) }).catch((error: unknown) => {
      release();
      throw error;
    });
    setContextIdle(this.parts.context, false);
    const channel = new AsyncChannel<StreamPart>();
    const prepared = cache ? cache.prepare(lease.slot.sequence, prompt, this.pool.stats().active - 1) : Promise.resolve();
    // The sequence is free again before the stream ends: a caller that has read the finish can reuse it at once.
    const run = prepared.then(() => body(lease.slot, signal, channel)).finally(() => {
      release();
      lease.release();
      // the last lease back (none handed on to a queued request): no generation runs on the context
      if (this.pool.stats().active === 0) setContextIdle(this.parts.context, true);
      this.running.delete(run);
      channel.end();
    });
    this.running.add(run);
    return channel;
  }

  private checkContext(prompt: readonly Token[], param = 'messages'): void {
    const contextSize = this.parts.context.contextSize;
    if (prompt.length >= contextSize) throw new ContextLengthExceededError(prompt.length, contextSize, { param });
  }

  /** The tokens a generation may add: what was asked, at most what the context has left. */
  private roomFor(prompt: readonly Token[], maxTokens: number | undefined): number {
    const room = this.parts.context.contextSize - prompt.length;
    return Math.min(maxTokens ?? room, room);
  }

  private tokenBiasFor(logitBias: Record<number, number> | undefined): TokenBias | undefined {
    return logitBias && Object.keys(logitBias).length > 0 ? toTokenBias(this.parts.model, logitBias) : undefined;
  }

  /** The chat wrapper's stop triggers: single tokens (e.g. `<|im_end|>`) and plain-text ones. */
  private stopsOf(triggers: readonly LlamaText[]): { tokens: Set<Token>; texts: string[] } {
    const tokens = new Set<Token>();
    const texts: string[] = [];
    for (const trigger of triggers) {
      const triggerTokens = trigger.tokenize(this.parts.model.tokenizer);
      if (triggerTokens.length === 1) tokens.add(triggerTokens[0]!);
      else if (trigger.values.every((value) => typeof value === 'string')) texts.push(trigger.toString());
    }
    return { tokens, texts };
  }

  private async generateTokens(slot: SequenceSlot, request: TokenGenerationRequest, signal: AbortSignal, channel: AsyncChannel<StreamPart>): Promise<void> {
    try {
      const costs = this.parts.promptCache?.costs;
      // A prompt's evaluation measures the model's cost per token only when no other sequence shared its batches.
      const alone = () => this.pool.stats().active === 1;
      const measured = costs && alone() ? { ...request, onPrefill: (tokens: number, ms: number) => alone() && costs.notePrefill(tokens, ms) } : request;
      await generateTokens(this.parts.model, slot.sequence, measured, signal, channel);
    } catch (error) {
      const usage = { promptTokens: request.prompt.length, cachedPromptTokens: 0, completionTokens: 0 };
      if (signal.aborted) {
        channel.push({ type: 'finish', reason: 'abort', raw: 'abort', usage });
      } else {
        this.parts.logger.error({ err: error, model: this.id }, 'generation failed');
        const failure = new GenerationError(`Generation failed on model '${this.id}'.`, { cause: error });
        channel.push({ type: 'finish', reason: 'error', raw: 'error', usage, error: failure });
      }
    }
  }

  private rejectUnsupported(request: ChatRequest): void {
    const usesTools = (request.tools?.length ?? 0) > 0 && request.toolChoice !== 'none';
    if (usesTools && request.responseFormat && request.responseFormat.type !== 'text') {
      // llama.cpp constrains a generation with one grammar: the function-call grammar or the response's.
      throw new InvalidRequestError("'response_format' cannot be combined with 'tools' on this model: send one, or set 'tool_choice' to 'none'.", {
        param: 'response_format',
      });
    }
    if (usesTools && request.logprobs) {
      throw new InvalidRequestError("'logprobs' cannot be combined with 'tools' on this model: send one, or set 'tool_choice' to 'none'.", {
        param: 'logprobs',
      });
    }
  }

  private async generate(
    slot: SequenceSlot,
    { history, prompt, request, plan, grammar, tokenBias, wrapper }: Generation,
    signal: AbortSignal,
    channel: AsyncChannel<StreamPart>,
  ): Promise<void> {
    const contextSize = this.parts.context.contextSize;
    const maxTokens = this.roomFor(prompt, request.maxTokens);
    // LlamaChat keeps the sequence's cached tokens that match the new prompt and evaluates the
    // rest; the last prompt token is always evaluated again to get its logits.
    const cachedPromptTokens = Math.min(sharedPrefixLength(slot.sequence.contextTokens, prompt), prompt.length - 1);
    // The sequence's meter counts every sampled token, function-call tokens included (onToken sees
    // only text tokens).
    const outputTokensBefore = slot.sequence.tokenMeter.usedOutputTokens;
    // The end-of-generation token is sampled but is not part of the completion (as on the
    // token-by-token path and the MLX backend).
    const usage = (stopReason?: string) => ({
      promptTokens: prompt.length,
      cachedPromptTokens,
      completionTokens: slot.sequence.tokenMeter.usedOutputTokens - outputTokensBefore - (stopReason === 'eogToken' ? 1 : 0),
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
        ...(tokenBias ? { tokenBias } : {}),
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
      // The prompt's whole batches first, with the signal checked between them (LlamaChat evaluates
      // a prompt to its end); LlamaChat then finds them cached, as it renders the same tokens.
      if ((await prefillPrompt(slot.sequence, prompt, signal)).aborted) {
        channel.push({ type: 'finish', reason: 'abort', raw: 'abort', usage: usage() });
        return;
      }
      const result = await chat.generateResponse(history, options);
      toolCalls.finish(result.functionCalls ?? []);
      const raw = result.metadata.stopReason;
      const stopSequence =
        result.metadata.stopReason === 'customStopTrigger'
          ? matchedStopSequence(result.metadata.customStopTrigger, request.stop, this.parts.model)
          : undefined;
      channel.push({ type: 'finish', reason: toFinishReason(raw), raw, usage: usage(raw), ...(stopSequence !== undefined ? { stopSequence } : {}) });
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
  tokenBias: TokenBias | undefined;
  wrapper: ChatWrapper;
}
