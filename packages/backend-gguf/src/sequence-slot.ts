import { LlamaChat, type ChatWrapper, type LlamaContextSequence, type Token } from 'node-llama-cpp';

/** One llama sequence and the chat driver bound to it; leased by one request at a time. */
export interface SequenceSlot {
  readonly sequence: LlamaContextSequence;
  readonly chat: LlamaChat;
  /** When the slot was last leased (a counter): the least recently used cache is given up first. */
  lastUsed: number;
}

export function createSequenceSlot(sequence: LlamaContextSequence, chatWrapper: ChatWrapper): SequenceSlot {
  return { sequence, chat: new LlamaChat({ contextSequence: sequence, chatWrapper }), lastUsed: 0 };
}

/** How many leading tokens two token lists share. */
export function sharedPrefixLength(a: readonly Token[], b: readonly Token[]): number {
  const limit = Math.min(a.length, b.length);
  let index = 0;
  while (index < limit && a[index] === b[index]) index++;
  return index;
}

/**
 * A cached prefix is worth reusing when it is at least this share of what the slot holds. Below
 * it, taking the slot would throw away a longer conversation to save a few tokens (a BOS token or
 * a chat template's header is common to every prompt). llama-server uses the same rule (0.1).
 */
const minReusedShare = 0.1;
let leases = 0;

/**
 * Chooses the free slot whose cached tokens share the longest prefix with the prompt, so a
 * follow-up turn re-evaluates only what is new. When no slot holds a useful prefix, an empty slot
 * is taken, else the least recently used one, so that other conversations keep their caches.
 */
export function chooseSlotFor(prompt: readonly Token[]) {
  return (free: readonly SequenceSlot[]): SequenceSlot => {
    let best: SequenceSlot | undefined;
    let bestShared = 0;
    for (const slot of free) {
      const cached = slot.sequence.contextTokens;
      const shared = sharedPrefixLength(cached, prompt);
      if (shared > bestShared && shared >= minReusedShare * cached.length) {
        best = slot;
        bestShared = shared;
      }
    }
    best ??= free.reduce((a, b) => (rank(b) < rank(a) ? b : a));
    best.lastUsed = ++leases;
    return best;
  };
}

/** Lower is given up first: empty slots, then the least recently used. */
function rank(slot: SequenceSlot): number {
  return slot.sequence.contextTokens.length === 0 ? -1 : slot.lastUsed;
}
