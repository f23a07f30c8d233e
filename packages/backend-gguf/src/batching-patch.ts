import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { LlamaContext } from 'node-llama-cpp';

/** Whether the batching patch is in place, and why not when it is not. */
export type BatchingPatchState = { applied: true } | { applied: false; reason: string };

const methodStart = '    dispatchPendingBatch() {';
const methodEnd = '    /**\n     * Print the timings';
const anchor = 'await decodeTokenBatchItems(currentBatchItems, currentBatchSize);\n';
// After a step that decoded several sequences: wait one macrotask so that each can queue its next
// token, then hand the context lock over and dispatch again. Holding the lock across steps (as the
// loop does) would starve whatever else waits for it, such as a new request trimming a sequence's
// cache: with every sequence now re-queueing in time, the loop would never end on its own. One
// sequence alone has nobody to wait for; the extra macrotask would cost it ~10% on a small model.
const yieldLine =
  'if (currentBatchItems.length > 1) { await new Promise((resolve) => setImmediate(resolve)); if (this._queuedDecodes.length > 0) { this.dispatchPendingBatch(); break; } }\n';

let state: Promise<BatchingPatchState> | undefined;

/**
 * Lets every active sequence join the next decode step.
 *
 * node-llama-cpp's batch loop (`LlamaContext#dispatchPendingBatch`) looks at its queue again as
 * soon as the last token of a step is sampled. A sequence then needs ~20 promise hops to queue its
 * next token, so the last one to be sampled misses the batch: at 2 concurrent sequences every
 * step decodes one sequence (255 decodes for 128 tokens instead of 128), at 4 about 171. Waiting
 * one macrotask after each step lets every sequence queue first (measured: exactly one decode per
 * token at any concurrency; docs/performance.md). A step that decoded one sequence does not wait,
 * and the context lock is released between steps so that other work on the context is not starved.
 *
 * node-llama-cpp has no option for this, so the method is re-created from the installed source
 * with that one line added, in the scope of the same helper modules. If the source does not have
 * the expected shape (another node-llama-cpp version) nothing is changed and the reason is returned.
 * `LLMUX_BATCHING_PATCH=0` leaves the library as it is.
 */
export function applyBatchingPatch(): Promise<BatchingPatchState> {
  state ??= patch().catch((error: unknown) => ({ applied: false as const, reason: error instanceof Error ? error.message : String(error) }));
  return state;
}

async function patch(): Promise<BatchingPatchState> {
  if (process.env.LLMUX_BATCHING_PATCH === '0') return { applied: false, reason: 'LLMUX_BATCHING_PATCH=0' };
  const indexUrl = import.meta.resolve('node-llama-cpp');
  const dist = new URL('./', indexUrl);
  const source = await readFile(new URL('evaluator/LlamaContext/LlamaContext.js', dist), 'utf8');
  const start = source.indexOf(methodStart);
  const end = source.indexOf(methodEnd, start);
  if (start < 0 || end < 0) return { applied: false, reason: 'dispatchPendingBatch not found in node-llama-cpp' };
  const method = source.slice(start, end);
  if (method.split(anchor).length !== 2) return { applied: false, reason: 'the batch loop of node-llama-cpp has an unexpected shape' };
  const body = method.replace('dispatchPendingBatch() {', 'function dispatchPendingBatch() {').replace(anchor, anchor + yieldLine);

  // The same module instances node-llama-cpp uses: lifecycle-utils keys its locks in module state.
  const lifecycleUtils = createRequire(fileURLToPath(indexUrl)).resolve('lifecycle-utils');
  const [locks, tokenMeter, pushAll, prioritization] = await Promise.all([
    import(pathToFileURL(lifecycleUtils).href),
    import(new URL('evaluator/TokenMeter.js', dist).href),
    import(new URL('utils/pushAll.js', dist).href),
    import(new URL('evaluator/LlamaContext/utils/resolveBatchItemsPrioritizationStrategy.js', dist).href),
  ]);
  const scope = {
    withLock: locks.withLock,
    acquireLock: locks.acquireLock,
    TokenMeter: tokenMeter.TokenMeter,
    pushAll: pushAll.pushAll,
    resolveBatchItemsPrioritizationStrategy: prioritization.resolveBatchItemsPrioritizationStrategy,
    // node-llama-cpp serializes Vulkan decodes across contexts on one module-level lock key.
    decodeSyncWorkaround: { vulkanLock: {} },
  };
  if (Object.values(scope).some((value) => value === undefined)) return { applied: false, reason: 'a helper of node-llama-cpp was not found' };
  const names = Object.keys(scope);
  const create = new Function(...names, `"use strict";\nreturn ${body}`) as (...values: unknown[]) => () => void;
  const dispatchPendingBatch = create(...Object.values(scope));
  (LlamaContext.prototype as unknown as { dispatchPendingBatch: () => void }).dispatchPendingBatch = dispatchPendingBatch;
  return { applied: true };
}
