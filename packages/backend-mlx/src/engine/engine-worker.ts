import { parentPort, workerData } from 'node:worker_threads';
import { KvCache } from './kv-cache.js';
import { loadTransformer } from './load-model.js';
import { mx } from './mlx.js';
import { Sampler } from './sampler.js';
import type { Transformer } from './transformer.js';
import type { EngineInit, FromEngine, ToEngine } from './protocol.js';

// The engine thread: MLX evaluation blocks the thread it runs on, so it runs here and talks to
// the model's owner by messages. Generations of different slots interleave token by token.

const port = parentPort!;
const init = workerData as EngineInit;
const running = new Set<number>();
const aborted = new Set<number>();
const send = (message: FromEngine) => port.postMessage(message);
/** Prompts are evaluated in chunks so one long prompt does not hold the other slots for long. */
const PROMPT_CHUNK = 512;

/**
 * Turning the event loop lets the GC finalizers of the binding free native memory; without it
 * memory grows by megabytes per token.
 */
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

function sharedPrefixLength(a: readonly number[], b: readonly number[]): number {
  const limit = Math.min(a.length, b.length);
  let index = 0;
  while (index < limit && a[index] === b[index]) index++;
  return index;
}

async function generate(model: Transformer, cache: KvCache, request: Extract<ToEngine, { type: 'generate' }>): Promise<void> {
  const { id, prompt } = request;
  running.add(id);
  let completionTokens = 0;
  const done = (reason: 'stop' | 'length' | 'abort', raw: string) => send({ type: 'done', id, reason, raw, completionTokens });
  try {
    // The last prompt token is always evaluated again: its logits start the generation.
    const cached = Math.min(sharedPrefixLength(cache.tokens, prompt), prompt.length - 1);
    cache.truncate(cached);
    send({ type: 'started', id, cachedPromptTokens: cached });
    let logits;
    for (let start = cached; start < prompt.length; start += PROMPT_CHUNK) {
      logits = model.forward(prompt.slice(start, start + PROMPT_CHUNK), cache);
      await yieldToLoop();
      if (aborted.has(id)) return done('abort', 'abort');
    }
    const sampler = new Sampler(request.sampling);
    const stopTokens = new Set(request.stopTokens);
    while (completionTokens < request.maxTokens) {
      const token = sampler.plainGreedy
        ? (mx.argmax(logits!).item() as number)
        : sampler.sample(logits!.tolist() as number[]);
      if (stopTokens.has(token)) return done('stop', 'eogToken');
      completionTokens++;
      sampler.accept(token);
      send({ type: 'token', id, token });
      if (completionTokens >= request.maxTokens) break;
      await yieldToLoop();
      if (aborted.has(id)) return done('abort', 'abort');
      logits = model.forward([token], cache);
    }
    done('length', 'maxTokens');
  } catch (error) {
    // A failed step leaves the cache in an unknown state: start this slot afresh next time.
    cache.truncate(0);
    send({ type: 'failed', id, message: error instanceof Error ? error.message : String(error) });
  } finally {
    running.delete(id);
    aborted.delete(id);
  }
}

async function main(): Promise<void> {
  let model: Transformer;
  let bytes: number;
  try {
    ({ model, bytes } = await loadTransformer(init.folder, init.config));
  } catch (error) {
    send({ type: 'load-failed', message: error instanceof Error ? error.message : String(error) });
    return;
  }
  const caches = Array.from({ length: init.slots }, () => new KvCache(model.config.layers));
  port.on('message', (message: ToEngine) => {
    // An abort that crosses the generation's end is dropped.
    if (message.type === 'abort') {
      if (running.has(message.id)) aborted.add(message.id);
    }
    else if (message.type === 'generate') void generate(model, caches[message.slot]!, message);
  });
  send({ type: 'ready', memoryBytes: bytes });
}

void main();
