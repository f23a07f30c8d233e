import type { LlamaContextSequence, Token } from 'node-llama-cpp';

/**
 * Brings a sequence up to a prompt, all but its last token (whose logits choose the first generated
 * token: the generation evaluates it), and stops early for an aborted signal.
 *
 * The sequence keeps the cached prefix it shares with the prompt. What it lacks is evaluated one batch
 * (the context's batch size) at a time, with the signal checked between batches: node-llama-cpp
 * evaluates a prompt given to it in one call to the end, so a client that went away during a long
 * prompt held its sequence until then, and other requests waited for it. What is left after the whole
 * batches is evaluated by the generation's own call together with the last token (one batch at most).
 *
 * Returns the number of prompt tokens the sequence held before (the reused prefix), and whether it
 * stopped for the signal.
 */
export async function prefillPrompt(
  sequence: LlamaContextSequence,
  prompt: readonly Token[],
  signal: AbortSignal,
): Promise<{ cachedTokens: number; aborted: boolean }> {
  const head = prompt.slice(0, -1);
  await sequence.adaptStateToTokens(head, false);
  const cachedTokens = sequence.nextTokenIndex;
  const step = Math.max(1, sequence.context.batchSize);
  for (let next = cachedTokens; head.length - next >= step; next += step) {
    if (signal.aborted) return { cachedTokens, aborted: true };
    await sequence.evaluateWithoutGeneratingNewTokens(head.slice(next, next + step));
  }
  return { cachedTokens, aborted: signal.aborted };
}
