import { getLlama, LlamaLogLevel, type Llama } from 'node-llama-cpp';
import type { Logger } from '@llmux/core';
import { applyBatchingPatch } from './batching-patch.js';

export type GpuSetting = 'auto' | 'cuda' | 'vulkan' | 'metal' | false;

const runtimes = new Map<string, Promise<Llama>>();

/**
 * One llama.cpp binding per GPU setting per process. Never builds from source at run time:
 * a missing binary is an error that says how to get one.
 */
export function getLlamaRuntime(gpu: GpuSetting, logger?: Logger): Promise<Llama> {
  const key = String(gpu);
  let runtime = runtimes.get(key);
  if (!runtime) {
    runtime = applyBatchingPatch().then((patch) => {
      if (!patch.applied) logger?.warn({ reason: patch.reason }, 'node-llama-cpp batching patch not applied: concurrent requests share fewer decode steps');
      return getLlama({
        gpu,
        build: 'never',
        logLevel: LlamaLogLevel.warn,
        logger: (level, message) => {
          const text = message.trim();
          if (!text || !logger) return;
          if (level === LlamaLogLevel.error || level === LlamaLogLevel.fatal) logger.error({ engine: 'llama.cpp' }, text);
          else logger.debug({ engine: 'llama.cpp' }, text);
        },
      });
    });
    runtime.catch(() => runtimes.delete(key));
    runtimes.set(key, runtime);
  }
  return runtime;
}

/** Disposes every binding this process opened. */
export async function disposeLlamaRuntimes(): Promise<void> {
  const all = [...runtimes.values()];
  runtimes.clear();
  for (const runtime of all) await (await runtime.catch(() => undefined))?.dispose();
}
