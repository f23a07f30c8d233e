import {
  AbortedError,
  AsyncChannel,
  ContextLengthExceededError,
  GenerationError,
  SlotPool,
  UnsupportedFeatureError,
  type ChatRequest,
  type CompletionRequest,
  type LoadedModel,
  type LoadedModelStats,
  type Logger,
  type MemoryEstimate,
  type ModelCapabilities,
  type SamplingOptions,
  type StreamOptions,
  type StreamPart,
} from '@llmux/core';
import type { EngineClient } from './engine-client.js';
import { StopMatcher } from './text/stop-matcher.js';
import { StreamDecoder } from './text/stream-decoder.js';
import type { ModelTokenizer } from './text/model-tokenizer.js';

export interface MlxLoadedModelParts {
  id: string;
  engine: EngineClient;
  tokenizer: ModelTokenizer;
  contextSize: number;
  parallel: number;
  maxQueue: number;
  memory: MemoryEstimate;
  logger: Logger;
}

/** A slot: one KV cache in the engine, and the tokens it holds as far as this side knows. */
interface Slot {
  index: number;
  tokens: number[];
}

interface GenerationInput {
  prompt: number[];
  maxTokens: number | undefined;
  stop: string[] | undefined;
  sampling: SamplingOptions;
}

function sharedPrefixLength(a: readonly number[], b: readonly number[]): number {
  const limit = Math.min(a.length, b.length);
  let index = 0;
  while (index < limit && a[index] === b[index]) index++;
  return index;
}

/**
 * An MLX model in memory: an engine worker with `parallel` KV caches. Each request leases a
 * cache (the one with the best cached prefix); the rest wait in a bounded FIFO queue.
 */
export class MlxLoadedModel implements LoadedModel {
  readonly specificationVersion = 'v1' as const;
  readonly id: string;
  readonly capabilities: ModelCapabilities;
  readonly memory: MemoryEstimate;
  private readonly pool: SlotPool<Slot>;
  private readonly unloading = new AbortController();
  private readonly running = new Set<Promise<void>>();
  private unloaded: Promise<void> | undefined;

  constructor(private readonly parts: MlxLoadedModelParts) {
    this.id = parts.id;
    this.memory = parts.memory;
    const slots = Array.from({ length: parts.parallel }, (_, index): Slot => ({ index, tokens: [] }));
    this.pool = new SlotPool(slots, parts.maxQueue, `model '${parts.id}'`);
    this.capabilities = {
      chat: true,
      completion: true,
      embeddings: false,
      tools: false,
      jsonSchema: false,
      logprobs: false,
      vision: false,
      contextLength: parts.contextSize,
    };
  }

  stats(): LoadedModelStats {
    return this.pool.stats();
  }

  async stream(request: ChatRequest, options: StreamOptions = {}): Promise<AsyncIterable<StreamPart>> {
    this.rejectUnsupported(request);
    const prompt = this.parts.tokenizer.chatPrompt(request.messages);
    return this.start({ prompt, maxTokens: request.maxTokens, stop: request.stop, sampling: request.sampling }, options);
  }

  async complete(request: CompletionRequest, options: StreamOptions = {}): Promise<AsyncIterable<StreamPart>> {
    if (request.logprobs) throw new UnsupportedFeatureError(`The model '${this.id}' does not support logprobs yet.`, { param: 'logprobs' });
    const prompt = this.parts.tokenizer.encode(request.prompt);
    return this.start({ prompt, maxTokens: request.maxTokens, stop: request.stop, sampling: request.sampling }, options);
  }

  async tokenize(text: string): Promise<number[]> {
    return this.parts.tokenizer.encode(text);
  }

  async unload(): Promise<void> {
    this.unloaded ??= (async () => {
      this.pool.close(new AbortedError(`The model '${this.id}' was unloaded.`));
      this.unloading.abort(new AbortedError(`The model '${this.id}' was unloaded.`));
      await Promise.allSettled([...this.running]);
      await this.parts.engine.terminate();
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
    const hasImage = request.messages.some(
      (message) => message.role === 'user' && Array.isArray(message.content) && message.content.some((part) => part.type === 'image'),
    );
    if (hasImage) throw new UnsupportedFeatureError(`The model '${this.id}' does not accept images.`, { param: 'messages' });
  }

  private async start(input: GenerationInput, options: StreamOptions): Promise<AsyncIterable<StreamPart>> {
    const contextSize = this.parts.contextSize;
    if (input.prompt.length >= contextSize) throw new ContextLengthExceededError(input.prompt.length, contextSize);
    const signal = options.signal ? AbortSignal.any([options.signal, this.unloading.signal]) : this.unloading.signal;
    const lease = await this.pool.acquire({ signal, choose: chooseSlotFor(input.prompt) });
    const channel = new AsyncChannel<StreamPart>();
    const run = this.generate(lease.slot, input, signal, channel).finally(() => {
      lease.release();
      this.running.delete(run);
    });
    this.running.add(run);
    return channel;
  }

  private generate(slot: Slot, input: GenerationInput, signal: AbortSignal, channel: AsyncChannel<StreamPart>): Promise<void> {
    const { prompt } = input;
    const room = this.parts.contextSize - prompt.length;
    const maxTokens = Math.max(0, Math.min(input.maxTokens ?? room, room));
    const decoder = new StreamDecoder((ids) => this.parts.tokenizer.decode(ids), prompt.at(-1));
    const matcher = new StopMatcher(input.stop ?? []);
    const generated: number[] = [];
    let cachedPromptTokens = 0;
    let stoppedByString = false;
    const usage = () => ({ promptTokens: prompt.length, cachedPromptTokens, completionTokens: generated.length });
    const emit = (text: string) => {
      if (text) channel.push({ type: 'text-delta', text });
    };

    return new Promise<void>((resolve) => {
      const finish = (part: Omit<Extract<StreamPart, { type: 'finish' }>, 'type' | 'usage'>) => {
        signal.removeEventListener('abort', onAbort);
        slot.tokens = [...prompt, ...generated];
        channel.push({ type: 'finish', ...part, usage: usage() });
        channel.end();
        resolve();
      };
      const id = this.parts.engine.generate(
        { slot: slot.index, prompt, maxTokens, sampling: input.sampling, stopTokens: this.parts.tokenizer.stopTokens },
        {
          onStarted: (cached) => {
            cachedPromptTokens = cached;
          },
          onToken: (token) => {
            if (stoppedByString) return;
            generated.push(token);
            const result = matcher.push(decoder.push(token));
            emit(result.text);
            if (result.stopped) {
              stoppedByString = true;
              this.parts.engine.abort(id);
            }
          },
          onDone: (reason, raw) => {
            if (stoppedByString) return finish({ reason: 'stop', raw: 'customStopTrigger' });
            if (reason === 'abort' || signal.aborted) return finish({ reason: 'abort', raw: 'abort' });
            const tail = matcher.push(decoder.flush());
            emit(tail.text);
            if (tail.stopped) return finish({ reason: 'stop', raw: 'customStopTrigger' });
            emit(matcher.flush());
            finish({ reason, raw });
          },
          onFailed: (message) => {
            if (signal.aborted) return finish({ reason: 'abort', raw: 'abort' });
            const error = new GenerationError(`Generation failed on model '${this.id}': ${message}`);
            this.parts.logger.error({ err: error, model: this.id }, 'generation failed');
            finish({ reason: 'error', raw: 'error', error });
          },
        },
      );
      const onAbort = () => this.parts.engine.abort(id);
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/**
 * Chooses the free slot whose cached tokens share the longest prefix with the prompt,
 * so a follow-up turn re-evaluates only what is new. Ties go to the emptiest slot.
 */
function chooseSlotFor(prompt: readonly number[]) {
  return (free: readonly Slot[]): Slot => {
    let best = free[0]!;
    let bestShared = -1;
    for (const slot of free) {
      const shared = sharedPrefixLength(slot.tokens, prompt);
      if (shared > bestShared || (shared === bestShared && slot.tokens.length < best.tokens.length)) {
        best = slot;
        bestShared = shared;
      }
    }
    return best;
  };
}
