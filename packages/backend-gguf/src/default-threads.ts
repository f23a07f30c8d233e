import os from 'node:os';

/**
 * Threads for a model when config names none. Small models are limited by thread
 * synchronization, not arithmetic: on the prebuilt CPU binary, 2 threads run a 1 MB model
 * 10-20x slower than 1. Larger models use the physical cores, leaving one for Node itself.
 */
export function defaultThreads(modelBytes: number): number {
  if (modelBytes < 512 * 1024 * 1024) return 1;
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, Math.min(cores - 1, 16));
}
