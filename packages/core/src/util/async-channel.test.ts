import { describe, expect, it } from 'vitest';
import { AsyncChannel } from './async-channel.js';

describe('AsyncChannel', () => {
  it('delivers pushed values in order, before and after the consumer waits', async () => {
    const channel = new AsyncChannel<number>();
    channel.push(1);
    const seen: number[] = [];
    const consumer = (async () => {
      for await (const value of channel) seen.push(value);
    })();
    await new Promise((r) => setTimeout(r, 5));
    channel.push(2);
    channel.push(3);
    channel.end();
    channel.push(4); // ignored after end
    await consumer;
    expect(seen).toEqual([1, 2, 3]);
  });

  it('rejects the consumer when failed', async () => {
    const channel = new AsyncChannel<number>();
    const consumer = (async () => {
      for await (const _ of channel) {
        // nothing
      }
    })();
    channel.fail(new Error('boom'));
    await expect(consumer).rejects.toThrow('boom');
  });
});
