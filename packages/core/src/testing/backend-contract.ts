import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../contracts/backend.js';
import type { LoadedModel } from '../contracts/loaded-model.js';
import { ContextLengthExceededError, LlmuxError, OverloadedError, UnsupportedFeatureError } from '../errors/llmux-error.js';
import type { ModelLoadOptions, ModelLocation } from '../types/model.js';
import type { ChatRequest } from '../types/request.js';
import type { StreamPart } from '../types/stream-part.js';
import { collectStream } from './collect-stream.js';

/** What a backend can do, so the kit skips what it does not claim (each flag defaults to `true`). */
export interface BackendContractCapabilities {
  /** Temperature 0 gives the same text every time (enables the stop-string test and text comparisons). */
  deterministic?: boolean;
  /** Honours `stop` strings. */
  stopStrings?: boolean;
  /** Rejects a prompt longer than `capabilities.contextLength` with `ContextLengthExceededError`. */
  rejectsLongPrompts?: boolean;
  /** Rejects image parts with `UnsupportedFeatureError` (a model without vision). */
  rejectsImages?: boolean;
  /** Queues beyond `parallel` and refuses beyond `maxQueue` with `OverloadedError`. */
  queue?: boolean;
  /** Its memory estimate is above zero (false for remote models, which take no local memory). */
  localMemory?: boolean;
}

export interface BackendContractOptions {
  /** The suite's name, e.g. `GgufBackend`. */
  name: string;
  /** A fresh backend; called once, before the tests. */
  createBackend: () => Backend | Promise<Backend>;
  /** The model to load; a function is called after earlier `beforeAll` hooks (e.g. a server started there). */
  model: ModelLocation | (() => ModelLocation | Promise<ModelLocation>);
  /**
   * Load options. `parallel` must be 2 or more; with `queue`, `maxQueue` must be 1-4 (the queue test
   * fills it).
   */
  loadOptions: ModelLoadOptions;
  /** A user message the model continues with at least 40 tokens; default `Once upon a time`. */
  prompt?: string;
  capabilities?: BackendContractCapabilities;
}

/**
 * Defines a vitest suite that checks a backend against the `Backend`/`LoadedModel` contract:
 * load/unload idempotence, stream part order, finish reasons, usage, abort mid-stream, concurrent
 * requests, queueing, stop strings, exact max tokens, error codes for bad input, the memory
 * estimate and idle memory release. Call it at the top level of a test file.
 */
export function describeBackendContract(options: BackendContractOptions): void {
  const flags: Required<BackendContractCapabilities> = {
    deterministic: true,
    stopStrings: true,
    rejectsLongPrompts: true,
    rejectsImages: true,
    queue: true,
    localMemory: true,
    ...options.capabilities,
  };
  const prompt = options.prompt ?? 'Once upon a time';
  const loadOptions = options.loadOptions;

  describe(`${options.name} passes the backend contract`, () => {
    let backend: Backend;
    let location: ModelLocation;
    let model: LoadedModel;
    const ask = (extra: Partial<ChatRequest> = {}): ChatRequest => ({
      model: location.id,
      messages: [{ role: 'user', content: prompt }],
      sampling: { temperature: 0 },
      ...extra,
    });

    beforeAll(async () => {
      expect(loadOptions.parallel, 'the contract needs parallel >= 2').toBeGreaterThanOrEqual(2);
      if (flags.queue) expect(loadOptions.maxQueue, 'the queue test needs maxQueue 1-4').toBeGreaterThanOrEqual(1);
      if (flags.queue) expect(loadOptions.maxQueue).toBeLessThanOrEqual(4);
      backend = await options.createBackend();
      location = typeof options.model === 'function' ? await options.model() : options.model;
      model = await backend.load(location, loadOptions);
    });

    afterAll(async () => {
      await model?.unload();
      await backend?.dispose();
      await backend?.dispose();
    });

    it('is a v1 backend that can load the model, and a v1 loaded model for chat', async () => {
      expect(backend.specificationVersion).toBe('v1');
      expect(backend.capabilities.formats).toContain(location.format);
      expect(await backend.canLoad(location)).toBe(true);
      expect(model.specificationVersion).toBe('v1');
      expect(model.id).toBe(location.id);
      expect(model.capabilities.chat).toBe(true);
      expect(Number.isInteger(model.capabilities.contextLength) && model.capabilities.contextLength > 0).toBe(true);
      expect(model.stats()).toMatchObject({ active: 0, queued: 0, slots: loadOptions.parallel });
    });

    it('estimates memory as byte counts, and a loaded model reports what it holds', async () => {
      const estimate = await backend.estimateMemory(location, loadOptions);
      for (const value of [estimate.cpuBytes, estimate.gpuBytes, model.memory.cpuBytes, model.memory.gpuBytes]) {
        expect(Number.isFinite(value) && value >= 0).toBe(true);
      }
      if (flags.localMemory) {
        expect(estimate.cpuBytes + estimate.gpuBytes).toBeGreaterThan(0);
        expect(model.memory.cpuBytes + model.memory.gpuBytes).toBeGreaterThan(0);
      }
    });

    it('streams text-delta parts, then exactly one finish part, last', async () => {
      const { order, text } = await collectStream(await model.stream(ask({ maxTokens: 16 })));
      expect(text.length).toBeGreaterThan(0);
      expect(order.at(-1)).toBe('finish');
      expect(order.filter((type) => type === 'finish')).toHaveLength(1);
      expect(order.slice(0, -1).every((type) => type === 'text-delta')).toBe(true);
    });

    it('stops at max tokens with reason length, exactly that many completion tokens, and usage', async () => {
      const { finish } = await collectStream(await model.stream(ask({ maxTokens: 7 })));
      expect(finish?.reason).toBe('length');
      expect(finish?.usage.completionTokens).toBe(7);
      expect(finish?.usage.promptTokens).toBeGreaterThan(0);
      expect(finish?.usage.cachedPromptTokens).toBeGreaterThanOrEqual(0);
      expect(finish?.usage.cachedPromptTokens).toBeLessThanOrEqual(finish!.usage.promptTokens);
    });

    it.runIf(flags.deterministic)('gives the same text for the same greedy request', async () => {
      const first = await collectStream(await model.stream(ask({ maxTokens: 24 })));
      const second = await collectStream(await model.stream(ask({ maxTokens: 24 })));
      expect(second.text).toBe(first.text);
    });

    it.runIf(flags.deterministic && flags.stopStrings)('stops at a stop string with reason stop, without returning it', async () => {
      const { text } = await collectStream(await model.stream(ask({ maxTokens: 40 })));
      const stop = stopWordFrom(text);
      expect(stop, `no word of 3+ letters in the second half of: ${JSON.stringify(text)}`).toBeDefined();
      const stopped = await collectStream(await model.stream(ask({ maxTokens: 40, stop: [stop!] })));
      expect(stopped.text).toBe(text.slice(0, text.indexOf(stop!)));
      expect(stopped.finish?.reason).toBe('stop');
      expect(stopped.finish!.usage.completionTokens).toBeLessThan(40);
    });

    it("releases idle memory, where it can, without touching a loaded model's state", async () => {
      const before = await collectStream(await model.stream(ask({ maxTokens: 12 })));
      await backend.releaseIdleMemory?.();
      const after = await collectStream(await model.stream(ask({ maxTokens: 12 })));
      expect(after.finish?.reason).toBe('length');
      if (flags.deterministic) expect(after.text).toBe(before.text);
    });

    it('ends an aborted stream with reason abort, and frees its slot', async () => {
      const controller = new AbortController();
      const stream = await model.stream(ask({ maxTokens: 1000, sampling: { temperature: 1 } }), { signal: controller.signal });
      const order: StreamPart['type'][] = [];
      let finish: StreamPart | undefined;
      for await (const part of stream) {
        order.push(part.type);
        if (order.length === 2) controller.abort();
        if (part.type === 'finish') finish = part;
      }
      expect(finish).toMatchObject({ type: 'finish', reason: 'abort' });
      expect(order.filter((type) => type === 'finish')).toHaveLength(1);
      await until(() => model.stats().active === 0);
      expect(model.stats().active).toBe(0);
    });

    it('serves as many requests at once as it has slots', async () => {
      const streams = await Promise.all(
        Array.from({ length: loadOptions.parallel }, () => model.stream(ask({ maxTokens: 12 }))),
      );
      expect(model.stats().active).toBe(loadOptions.parallel);
      const results = await Promise.all(streams.map(collectStream));
      for (const result of results) {
        expect(result.finish?.reason).toBe('length');
        expect(result.finish?.usage.completionTokens).toBe(12);
        if (flags.deterministic) expect(result.text).toBe(results[0]!.text);
      }
      await until(() => model.stats().active === 0);
    });

    it.runIf(flags.queue)('queues beyond its slots and refuses past the queue with overloaded', async () => {
      const long = () => model.stream(ask({ maxTokens: 200 }));
      const running: AsyncIterable<StreamPart>[] = [];
      for (let index = 0; index < loadOptions.parallel; index++) running.push(await long());
      const queued = Array.from({ length: loadOptions.maxQueue }, () => long());
      await expect(long()).rejects.toBeInstanceOf(OverloadedError);
      expect(model.stats()).toMatchObject({ active: loadOptions.parallel, queued: loadOptions.maxQueue });
      await Promise.all(running.map(collectStream));
      const late = await Promise.all(queued.map(async (stream) => collectStream(await stream)));
      for (const result of late) expect(result.finish?.reason).toBe('length');
      await until(() => model.stats().active === 0);
    });

    it.runIf(flags.rejectsLongPrompts)('rejects a prompt longer than its context with ContextLengthExceededError, before any part', async () => {
      const huge = ' hello'.repeat(model.capabilities.contextLength + 16);
      await expect(model.stream(ask({ messages: [{ role: 'user', content: huge }] }))).rejects.toBeInstanceOf(ContextLengthExceededError);
      expect(model.stats().active).toBe(0);
    });

    it.runIf(flags.rejectsImages)('rejects image parts with UnsupportedFeatureError, before any part', async () => {
      const request = ask({ messages: [{ role: 'user', content: [{ type: 'text', text: prompt }, { type: 'image', url: 'data:image/png;base64,AAAA' }] }] });
      await expect(model.stream(request)).rejects.toBeInstanceOf(UnsupportedFeatureError);
    });

    it('unloads idempotently, and refuses to stream once unloaded', async () => {
      const extra = await backend.load(location, loadOptions);
      await extra.unload();
      await extra.unload();
      await extra[Symbol.asyncDispose]();
      await expect(extra.stream(ask({ maxTokens: 4 }))).rejects.toBeInstanceOf(LlmuxError);
    });
  });
}

/** A word of 3+ letters from the second half of the text, to use as a stop string. */
function stopWordFrom(text: string): string | undefined {
  const half = text.slice(Math.floor(text.length / 2));
  return half.match(/[A-Za-z]{3,}/)?.[0];
}

/** Waits (at most 2 s) for a condition that settles right after a stream ends. */
async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
}
