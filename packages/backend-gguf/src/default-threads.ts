import os from 'node:os';

/**
 * Threads for a model when config names none.
 *
 * With a binding built on the machine (`llmux engine build`), each context keeps a persistent thread pool, and
 * more threads pay off as soon as a model has real arithmetic per token: on 2 cores, a 125M Q8_0 model (130 MB)
 * ran 1.7x faster with 2 threads than with 1, while stories260K (1 MB) ran 1.4x faster with 1 (docs/performance.md).
 * So 1 thread below 32 MB, every core (at most 16) above.
 *
 * The prebuilt node-llama-cpp CPU binary has no OpenMP and no thread pool: llama.cpp starts and joins its worker
 * threads on every decode and synchronizes them by spinning. There, 2 threads ran stories260K at ~5 tok/s against
 * ~1,000 with 1; below 512 MB 1 thread, larger models the cores but one, leaving one for Node itself.
 */
export function defaultThreads(modelBytes: number, threadPool = false, cores: number = availableCores()): number {
  const mb = 1024 * 1024;
  if (threadPool) return modelBytes < 32 * mb ? 1 : Math.max(1, Math.min(cores, 16));
  if (modelBytes < 512 * mb) return 1;
  return Math.max(1, Math.min(cores - 1, 16));
}

function availableCores(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}
