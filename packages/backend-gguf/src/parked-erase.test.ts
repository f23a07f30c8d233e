import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LlamaContext, LlamaContextSequence, LlamaModel, Token } from 'node-llama-cpp';
import { getLlamaRuntime } from './llama-runtime.js';

// patches/node-llama-cpp@3.22.1.patch: a sequence that erases tokens while other sequences generate does it at once
// when the batch loop waits between two batches, instead of waiting for the loop to end and for the context lock
// (LLMUX_PARKED_ERASE=0 turns that off). A request taking a sequence erases what the sequence held beyond its prompt's
// prefix this way before its prompt is queued. A state saved or loaded (the prompt cache) still takes the lock, and
// the batch loop lets it in between two batches.
const MODEL = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../models/stories260K.gguf');

type ContextInternals = { _ctx: Record<string, unknown>; _batchLoopParked?: boolean };

/** Records, for each tokens' removal from the KV cache, whether the batch loop was waiting between two batches then. */
function recordRemovals(context: LlamaContext): boolean[] {
  const parked: boolean[] = [];
  const internals = context as unknown as ContextInternals;
  internals._ctx = new Proxy(internals._ctx, {
    get(target, key) {
      const value = Reflect.get(target, key) as unknown;
      if (typeof value !== 'function') return value;
      const method = (value as (...args: unknown[]) => unknown).bind(target);
      if (key !== 'removeTokenCellsFromSequence') return method;
      return (...args: unknown[]) => {
        parked.push(internals._batchLoopParked === true);
        return method(...args);
      };
    },
  });
  return parked;
}

/** Greedy tokens after `prompt` on `sequence`, going on from what it holds of the prompt; `onToken` sees each one. */
async function generate(sequence: LlamaContextSequence, prompt: Token[], count: number, onToken?: (index: number) => void): Promise<Token[]> {
  await sequence.adaptStateToTokens(prompt.slice(0, -1), false);
  const tokens: Token[] = [];
  for await (const token of sequence.evaluate(prompt.slice(sequence.nextTokenIndex), { temperature: 0 })) {
    tokens.push(token);
    onToken?.(tokens.length);
    if (tokens.length === count) break;
  }
  return tokens;
}

describe('erasing while other sequences generate', () => {
  let model: LlamaModel;
  beforeAll(async () => {
    model = await (await getLlamaRuntime(false)).loadModel({ modelPath: MODEL });
  });
  afterAll(async () => {
    await model.dispose();
  });

  it('erases at once between two batches, and the sequences generate what they generate alone', async () => {
    const busy = model.tokenize('Lily went to the park with her mom');
    const first = model.tokenize('Once upon a time there was a big red ball');
    const second = model.tokenize('Once upon a time there was a little dog');

    // alone, each on a fresh context
    const alone = async (prompt: Token[], count: number) => {
      const context = await model.createContext({ contextSize: 256, sequences: 1, threads: 1 });
      const tokens = await generate(context.getSequence(), prompt, count);
      await context.dispose();
      return tokens;
    };
    const expectedBusy = await alone(busy, 150);
    const expectedSecond = await alone(second, 20);

    const context = await model.createContext({ contextSize: 256, sequences: 2, threads: 1 });
    const parked = recordRemovals(context);
    const [generating, taken] = [context.getSequence(), context.getSequence()];
    // the taken sequence holds an earlier request: the first prompt and what it generated
    await generate(taken, first, 30);
    const removalsBefore = parked.length;
    // while the other sequence generates, it takes the second prompt: everything after the shared prefix is erased
    let next: Promise<Token[]> | undefined;
    const busyTokens = await generate(generating, busy, 150, (index) => {
      if (index === 40) next = generate(taken, second, 20);
    });
    const secondTokens = await next!;

    expect(taken.contextTokens.slice(0, second.length)).toEqual(second);
    expect(secondTokens).toEqual(expectedSecond);
    expect(busyTokens).toEqual(expectedBusy);
    const erases = parked.slice(removalsBefore);
    expect(erases.length).toBeGreaterThan(0);
    // turned off, the erase waits for the lock instead (and the loop no longer waits between batches when it runs)
    expect(erases[0]).toBe(process.env.LLMUX_PARKED_ERASE !== '0');
    await context.dispose();
  });

  it('saves a state while another sequence generates, between two of its batches', async () => {
    const folder = await mkdtemp(path.join(os.tmpdir(), 'llmux-parked-'));
    const context = await model.createContext({ contextSize: 512, sequences: 2, threads: 1 });
    const [generating, saved] = [context.getSequence(), context.getSequence()];
    await generate(saved, model.tokenize('Once upon a time there was a big red ball'), 10);
    let generated = 0;
    let savedAt: number | undefined;
    let saving: Promise<unknown> | undefined;
    await generate(generating, model.tokenize('Lily went to the park with her mom'), 400, (index) => {
      generated = index;
      if (index === 20) saving = saved.saveStateToFile(path.join(folder, 'state')).then(() => (savedAt = generated));
    });
    await saving;
    // before, the save waited until no sequence was generating: after the 400th token
    expect(savedAt).toBeLessThan(100);
    await context.dispose();
    await rm(folder, { recursive: true, force: true });
  });
});
