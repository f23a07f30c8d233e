import {
  AsyncChannel,
  BackendUnavailableError,
  ContextLengthExceededError,
  SlotPool,
  UnsupportedFeatureError,
  messageText,
  type ChatRequest,
  type FinishPart,
  type LoadedModel,
  type LoadedModelStats,
  type ModelCapabilities,
  type StreamOptions,
  type StreamPart,
} from '@llmux/core';

export interface EchoModelSettings {
  id: string;
  parallel: number;
  maxQueue: number;
  contextLength: number;
  tokenDelayMs: number;
}

/** An echo model: `parallel` requests at once, the rest in a bounded queue (core's SlotPool). */
export class EchoModel implements LoadedModel {
  readonly specificationVersion = 'v1' as const;
  readonly id: string;
  readonly capabilities: ModelCapabilities;
  readonly memory = { cpuBytes: 64 * 1024, gpuBytes: 0 };
  private readonly pool: SlotPool<number>;
  private readonly unloading = new AbortController();
  private readonly running = new Set<Promise<void>>();
  private unloaded = false;

  constructor(private readonly settings: EchoModelSettings) {
    this.id = settings.id;
    this.capabilities = {
      chat: true,
      completion: false,
      embeddings: false,
      tools: false,
      jsonSchema: false,
      logprobs: false,
      vision: false,
      contextLength: settings.contextLength,
    };
    this.pool = new SlotPool(Array.from({ length: settings.parallel }, (_, slot) => slot), settings.maxQueue, `model '${settings.id}'`);
  }

  stats(): LoadedModelStats {
    return this.pool.stats();
  }

  async stream(request: ChatRequest, options: StreamOptions = {}): Promise<AsyncIterable<StreamPart>> {
    if (this.unloaded) throw new BackendUnavailableError(`The model '${this.id}' was unloaded.`);
    // Bad input is refused before a slot is taken, so it becomes a 4xx before any byte is sent.
    const words = request.messages.flatMap((message) => {
      if (message.role === 'user' && typeof message.content !== 'string' && message.content.some((part) => part.type === 'image')) {
        throw new UnsupportedFeatureError('Echo models cannot see images: send text only.', { param: 'messages' });
      }
      return splitWords(messageText(message.content));
    });
    if (words.length >= this.capabilities.contextLength) throw new ContextLengthExceededError(words.length, this.capabilities.contextLength);
    const lastUser = [...request.messages].reverse().find((message) => message.role === 'user');
    const echo = lastUser ? splitWords(messageText(lastUser.content)) : [];

    const signal = options.signal ? AbortSignal.any([options.signal, this.unloading.signal]) : this.unloading.signal;
    const lease = await this.pool.acquire({ signal });
    const channel = new AsyncChannel<StreamPart>();
    const room = this.capabilities.contextLength - words.length;
    const run = this.generate(echo.length > 0 ? echo : ['...'], words.length, Math.min(request.maxTokens ?? room, room), request.stop ?? [], signal, channel)
      .finally(() => {
        lease.release();
        this.running.delete(run);
      });
    this.running.add(run);
    return channel;
  }

  async unload(): Promise<void> {
    if (this.unloaded) return;
    this.unloaded = true;
    this.pool.close(new BackendUnavailableError(`The model '${this.id}' was unloaded.`));
    this.unloading.abort();
    await Promise.allSettled([...this.running]);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.unload();
  }

  private async generate(
    echo: string[],
    promptTokens: number,
    maxTokens: number,
    stops: readonly string[],
    signal: AbortSignal,
    channel: AsyncChannel<StreamPart>,
  ): Promise<void> {
    let text = '';
    let sent = 0;
    let completionTokens = 0;
    // Text that could be the start of a stop string is held back until it is known not to be one.
    const holdBack = Math.max(0, ...stops.map((stop) => stop.length - 1));
    const send = (end: number) => {
      if (end > sent) channel.push({ type: 'text-delta', text: text.slice(sent, end) });
      sent = Math.max(sent, end);
    };
    const finish = (reason: FinishPart['reason'], raw: string) => {
      channel.push({ type: 'finish', reason, raw, usage: { promptTokens, cachedPromptTokens: 0, completionTokens } });
      channel.end();
    };
    while (completionTokens < maxTokens) {
      await new Promise((resolve) => (this.settings.tokenDelayMs > 0 ? setTimeout(resolve, this.settings.tokenDelayMs) : setImmediate(resolve)));
      if (signal.aborted) return finish('abort', 'abort');
      text += ` ${echo[completionTokens % echo.length]}`;
      completionTokens += 1;
      const stopAt = Math.min(...stops.map((stop) => text.indexOf(stop)).filter((index) => index >= 0));
      if (Number.isFinite(stopAt)) {
        send(stopAt);
        return finish('stop', 'stop-string');
      }
      send(text.length - holdBack);
    }
    send(text.length);
    finish('length', 'max-tokens');
  }
}

function splitWords(text: string): string[] {
  return text.split(/\s+/).filter((word) => word.length > 0);
}
