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
 * A slot with fewer generating neighbours than another free slot is taken for its prefix only when it shares this
 * many more tokens with the prompt: being apart costs every step of the generation one more run of the model (see
 * `chooseSlotFor`), where the prefix spares its tokens' evaluation once.
 */
const minPrefixGainApart = 32;

/**
 * Chooses the free slot whose cached tokens share the longest prefix with the prompt, so a
 * follow-up turn re-evaluates only what is new. When no slot holds a useful prefix, the slot next to
 * the most sequences that are generating is taken: llama.cpp runs a step's batch as one graph per run
 * of consecutive sequence ids (each sequence has its own KV cache), so four requests on sequences
 * 0, 2, 5 and 7 of eight cost four runs of the model per token, and on 2-5 one. Among those, an empty
 * slot, else the least recently used one, so that other conversations keep their caches. A slot with a
 * prefix but fewer generating neighbours is taken only for `minPrefixGainApart` more tokens of prefix.
 * `all`: every slot of the context, in sequence-id order.
 */
export function chooseSlotFor(prompt: readonly Token[], all: readonly SequenceSlot[]) {
  return (free: readonly SequenceSlot[]): SequenceSlot => {
    const sharedOf = (slot: SequenceSlot) => sharedPrefixLength(slot.sequence.contextTokens, prompt);
    let prefixed: SequenceSlot | undefined;
    let prefixShared = 0;
    for (const slot of free) {
      const shared = sharedOf(slot);
      if (shared > prefixShared && shared >= minReusedShare * slot.sequence.contextTokens.length) {
        prefixed = slot;
        prefixShared = shared;
      }
    }
    const generating = (index: number) => index >= 0 && index < all.length && !free.includes(all[index]!);
    const neighbours = (slot: SequenceSlot) => {
      const index = all.indexOf(slot);
      return Number(generating(index - 1)) + Number(generating(index + 1));
    };
    const adjacent = free.reduce((a, b) => {
      const [na, nb] = [neighbours(a), neighbours(b)];
      return nb > na || (nb === na && rank(b) < rank(a)) ? b : a;
    });
    const best =
      prefixed && (neighbours(prefixed) >= neighbours(adjacent) || prefixShared - sharedOf(adjacent) >= minPrefixGainApart) ? prefixed : adjacent;
    best.lastUsed = ++leases;
    return best;
  };
}

/** Lower is given up first: empty slots, then the least recently used. */
function rank(slot: SequenceSlot): number {
  return slot.sequence.contextTokens.length === 0 ? -1 : slot.lastUsed;
}
