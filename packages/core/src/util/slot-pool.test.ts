import { describe, expect, it } from 'vitest';
import { SlotPool } from './slot-pool.js';
import { AbortedError, OverloadedError } from '../errors/llmux-error.js';

describe('SlotPool', () => {
  it('leases free slots, queues FIFO, and rejects when the queue is full', async () => {
    const pool = new SlotPool(['a', 'b'], 1);
    const first = await pool.acquire();
    const second = await pool.acquire();
    expect([first.slot, second.slot].sort()).toEqual(['a', 'b']);
    const queued = pool.acquire();
    expect(pool.stats()).toEqual({ active: 2, queued: 1, slots: 2 });
    await expect(pool.acquire()).rejects.toBeInstanceOf(OverloadedError);
    first.release();
    first.release(); // idempotent
    expect((await queued).slot).toBe(first.slot);
    expect(pool.stats()).toEqual({ active: 2, queued: 0, slots: 2 });
  });

  it('serves waiters in arrival order', async () => {
    const pool = new SlotPool([1], 5);
    const lease = await pool.acquire();
    const order: number[] = [];
    const waits = [0, 1, 2].map((n) => pool.acquire().then((l) => (order.push(n), l.release())));
    lease.release();
    await Promise.all(waits);
    expect(order).toEqual([0, 1, 2]);
  });

  it('lets a chooser pick among free slots', async () => {
    const pool = new SlotPool(['x', 'y', 'z'], 0);
    const lease = await pool.acquire({ choose: (free) => free.find((s) => s === 'z')! });
    expect(lease.slot).toBe('z');
  });

  it('drops an aborted waiter from the queue', async () => {
    const pool = new SlotPool(['only'], 2);
    const lease = await pool.acquire();
    const controller = new AbortController();
    const waiting = pool.acquire({ signal: controller.signal });
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(AbortedError);
    expect(pool.stats().queued).toBe(0);
    lease.release();
    expect(pool.stats().active).toBe(0);
  });

  it('rejects waiters and new requests once closed', async () => {
    const pool = new SlotPool(['s'], 2);
    await pool.acquire();
    const waiting = pool.acquire();
    pool.close(new AbortedError('unloaded'));
    await expect(waiting).rejects.toThrow('unloaded');
    await expect(pool.acquire()).rejects.toThrow('unloaded');
  });
});
