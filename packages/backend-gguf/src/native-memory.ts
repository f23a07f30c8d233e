import type { Llama } from 'node-llama-cpp';
import { openLlamaRuntimes } from './llama-runtime.js';

/** What the patched binding adds for this (node-llama-cpp keeps its native bindings internal). */
interface TrimmingBindings {
  trimProcessMemory?: () => boolean;
}

/**
 * Gives the memory that the C library's allocator holds free, in every thread's arena, back to the operating
 * system (glibc's `malloc_trim`, through the patched binding). The arenas of the threads that decoded keep freed
 * pages otherwise: ~12 MB of an idle server's resident memory here. Process-wide, so one opened binding is
 * enough; false when none is open, the binding lacks the call (a prebuilt one), or nothing was given back.
 */
export async function trimNativeMemory(runtimes: Promise<Llama>[] = openLlamaRuntimes()): Promise<boolean> {
  for (const runtime of runtimes) {
    const llama = await runtime.catch(() => undefined);
    const bindings = (llama as unknown as { _bindings?: TrimmingBindings } | undefined)?._bindings;
    if (typeof bindings?.trimProcessMemory === 'function') return bindings.trimProcessMemory();
  }
  return false;
}
