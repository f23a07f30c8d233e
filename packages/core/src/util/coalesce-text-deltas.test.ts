import { describe, expect, it } from 'vitest';
import { AsyncChannel } from './async-channel.js';
import { coalesceTextDeltas } from './coalesce-text-deltas.js';
import type { StreamPart } from '../types/stream-part.js';

const text = (t: string): StreamPart => ({ type: 'text-delta', text: t });
const finish: StreamPart = { type: 'finish', reason: 'stop', raw: 'eogToken', usage: { promptTokens: 1, cachedPromptTokens: 0, completionTokens: 3 } };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function timed(source: AsyncIterable<StreamPart>) {
  const started = performance.now();
  const seen: Array<{ part: StreamPart; at: number }> = [];
  for await (const part of source) seen.push({ part, at: performance.now() - started });
  return seen;
}

describe('coalesceTextDeltas', () => {
  it('sends the first text at once, merges what follows within the window, keeps the order of other parts', async () => {
    const channel = new AsyncChannel<StreamPart>();
    const result = timed(coalesceTextDeltas(channel, 40));
    channel.push(text('Once'));
    await sleep(5);
    channel.push(text(' upon'));
    channel.push(text(' a'));
    await sleep(5);
    channel.push({ type: 'tool-call-start', index: 0, id: 'call_1', name: 'f' });
    channel.push(text(' time'));
    channel.push(finish);
    channel.end();
    const seen = await result;
    expect(seen.map((s) => s.part)).toEqual([
      text('Once'),
      text(' upon a'),
      { type: 'tool-call-start', index: 0, id: 'call_1', name: 'f' },
      text(' time'),
      finish,
    ]);
    expect(seen[0]!.at).toBeLessThan(5);
  });

  it('flushes held text when the window ends even if nothing else arrives', async () => {
    const channel = new AsyncChannel<StreamPart>();
    const result = timed(coalesceTextDeltas(channel, 20));
    channel.push(text('a'));
    channel.push(text('b'));
    await sleep(80);
    channel.push(text('c'));
    channel.end();
    const seen = await result;
    expect(seen.map((s) => s.part)).toEqual([text('a'), text('b'), text('c')]);
    expect(seen[1]!.at).toBeLessThan(70); // 'b' went out at the deadline, not with 'c'
  });

  it('passes every part through unchanged with a window of 0', async () => {
    async function* parts() {
      yield text('x');
      yield text('y');
      yield finish;
    }
    expect((await timed(coalesceTextDeltas(parts(), 0))).map((s) => s.part)).toEqual([text('x'), text('y'), finish]);
  });
});
