import type { ChatWrapper, LlamaContext, LlamaModel, Token } from 'node-llama-cpp';
import {
  AbortedError,
  AsyncChannel,
  ContextLengthExceededError,
  GenerationError,
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
import { toFinishReason } from './finish-reason.js';
import { requestSignal } from './request-signal.js';
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
      tools: false,
      jsonSchema: false,
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
    const history = toChatHistory(request.messages);
    const prompt = this.parts.chatWrapper
      .generateContextState({ chatHistory: history })
      .contextText.tokenize(this.parts.model.tokenizer);
    const contextSize = this.parts.context.contextSize;
    if (prompt.length >= contextSize) throw new ContextLengthExceededError(prompt.length, contextSize);

    const { signal, release } = requestSignal(options.signal, this.unloading.signal);
    const lease = await this.pool.acquire({ signal, choose: chooseSlotFor(prompt) }).catch((error: unknown) => {
      release();
      throw error;
    });
    const channel = new AsyncChannel<StreamPart>();
    const run = this.generate(lease.slot, history, prompt, request, signal, channel).finally(() => {
      release();
      lease.release();
      this.running.delete(run);
    });
    this.running.add(run);
    return channel;
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
    if (request.tools && request.tools.length > 0 && request.toolChoice !== 'none') {
      throw new UnsupportedFeatureError(`The model '${this.id}' does not support tool calling yet.`, { param: 'tools' });
    }
    if (request.responseFormat && request.responseFormat.type !== 'text') {
      throw new UnsupportedFeatureError(`The model '${this.id}' does not support response_format '${request.responseFormat.type}' yet.`, {
        param: 'response_format',
      });
    }
    if (request.logprobs) {
      throw new UnsupportedFeatureError(`The model '${this.id}' does not support logprobs yet.`, { param: 'logprobs' });
    }
  }

  private async generate(
    slot: SequenceSlot,
    history: ReturnType<typeof toChatHistory>,
    prompt: readonly Token[],
    request: ChatRequest,
    signal: AbortSignal,
    channel: AsyncChannel<StreamPart>,
  ): Promise<void> {
    const contextSize = this.parts.context.contextSize;
    const room = contextSize - prompt.length;
    const maxTokens = Math.min(request.maxTokens ?? room, room);
    // LlamaChat keeps the sequence's cached tokens that match the new prompt and evaluates the
    // rest; the last prompt token is always evaluated again to get its logits.
    const cachedPromptTokens = Math.min(sharedPrefixLength(slot.sequence.contextTokens, prompt), prompt.length - 1);
    let completionTokens = 0;
    const usage = () => ({ promptTokens: prompt.length, cachedPromptTokens, completionTokens });
    try {
      const result = await slot.chat.generateResponse(history, {
        ...toEngineSampling(request.sampling, contextSize),
        maxTokens,
        signal,
        stopOnAbortSignal: true,
        ...(request.stop && request.stop.length > 0 ? { customStopTriggers: request.stop } : {}),
        onToken: (tokens) => {
          completionTokens += tokens.length;
        },
        onTextChunk: (text) => {
          if (text) channel.push({ type: 'text-delta', text });
        },
      });
      const raw = result.metadata.stopReason;
      channel.push({ type: 'finish', reason: toFinishReason(raw), raw, usage: usage() });
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
      channel.end();
    }
  }
}
