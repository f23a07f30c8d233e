import os from 'node:os';

/**
 * Threads for a model when config names none. The prebuilt node-llama-cpp CPU binary has no
 * OpenMP and attaches no thread pool, so llama.cpp starts and joins its worker threads on every
 * decode and synchronizes them by spinning: measured on 2 cores, 2 threads ran stories260K at
 * ~5 tok/s against ~1,000 with 1, and a 125M Q8_0 model at 0.5-2x of 1 thread depending on the
 * machine's load (docs/performance.md). Below 512 MB the arithmetic per token is too small to pay
 * for that, so 1 thread; larger models use the cores but one, leaving one for Node itself.
 */
export function defaultThreads(modelBytes: number): number {
  if (modelBytes < 512 * 1024 * 1024) return 1;
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, Math.min(cores - 1, 16));
}
