import { LlamaChat, type ChatWrapper, type LlamaContextSequence, type Token } from 'node-llama-cpp';

/** One llama sequence and the chat driver bound to it; leased by one request at a time. */
export interface SequenceSlot {
  readonly sequence: LlamaContextSequence;
  readonly chat: LlamaChat;
}

export function createSequenceSlot(sequence: LlamaContextSequence, chatWrapper: ChatWrapper): SequenceSlot {
  return { sequence, chat: new LlamaChat({ contextSequence: sequence, chatWrapper }) };
}

/** How many leading tokens two token lists share. */
export function sharedPrefixLength(a: readonly Token[], b: readonly Token[]): number {
  const limit = Math.min(a.length, b.length);
  let index = 0;
  while (index < limit && a[index] === b[index]) index++;
  return index;
}

/**
 * Chooses the free slot whose cached tokens share the longest prefix with the prompt,
 * so a follow-up turn re-evaluates only what is new. Ties go to the emptiest slot.
 */
export function chooseSlotFor(prompt: readonly Token[]) {
  return (free: readonly SequenceSlot[]): SequenceSlot => {
    let best = free[0]!;
    let bestShared = -1;
    for (const slot of free) {
      const cached = slot.sequence.contextTokens;
      const shared = sharedPrefixLength(cached, prompt);
      if (shared > bestShared || (shared === bestShared && cached.length < best.sequence.contextTokens.length)) {
        best = slot;
        bestShared = shared;
      }
    }
    return best;
  };
}
