import { getLlama, LlamaLogLevel, type Llama } from 'node-llama-cpp';
import type { Logger } from '@llmux/core';
import { chooseLlamaBinary, findLocalBuild, type LlamaBinaryChoice } from './llama-binary-choice.js';

export type GpuSetting = 'auto' | 'cuda' | 'vulkan' | 'metal' | false;

const runtimes = new Map<string, Promise<Llama>>();

function openBinding(choice: LlamaBinaryChoice, logger?: Logger): Promise<Llama> {
  const common = {
    logLevel: LlamaLogLevel.warn,
    logger: (level: LlamaLogLevel, message: string) => {
      const text = message.trim();
      if (!text || !logger) return;
      if (level === LlamaLogLevel.error || level === LlamaLogLevel.fatal) logger.error({ engine: 'llama.cpp' }, text);
      else logger.debug({ engine: 'llama.cpp' }, text);
    },
  };
  // A local build that exists but fails to load makes node-llama-cpp fall back to its default search.
  if (choice.kind === 'localBuild') return getLlama('lastBuild', common);
  return getLlama({ ...common, gpu: choice.gpu, build: 'never' });
}

/**
 * One llama.cpp binding per binary choice per process. Never builds from source at run time:
 * a missing binary is an error that says how to get one. A binding built on this machine for
 * the requested GPU type is preferred to the prebuilt ones (see chooseLlamaBinary), unless the environment
 * variable LLMUX_BINDING is `prebuilt`.
 */
export function getLlamaRuntime(gpu: GpuSetting, logger?: Logger): Promise<Llama> {
  // LLMUX_BINDING=prebuilt passes over a local build (to compare the two, or to sidestep a broken one)
  const choice = chooseLlamaBinary(gpu, process.env.LLMUX_BINDING === 'prebuilt' ? undefined : findLocalBuild());
  const key = choice.kind === 'localBuild' ? `local:${choice.folderName}` : `search:${String(choice.gpu)}`;
  let runtime = runtimes.get(key);
  if (!runtime) {
    runtime = openBinding(choice, logger);
    runtime.catch(() => runtimes.delete(key));
    runtimes.set(key, runtime);
  }
  return runtime;
}

/** The bindings this process opened, loaded or not yet. */
export function openLlamaRuntimes(): Promise<Llama>[] {
  return [...runtimes.values()];
}

/** Disposes every binding this process opened. */
export async function disposeLlamaRuntimes(): Promise<void> {
  const all = [...runtimes.values()];
  runtimes.clear();
  for (const runtime of all) await (await runtime.catch(() => undefined))?.dispose();
}
