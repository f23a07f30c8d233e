import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, type Backend } from '@llmux/core';
import { fullCollection, IdleCollector, idleRelease } from './idle-collector.js';
import { InflightRequests } from './inflight.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('IdleCollector', () => {
  it('collects once, a delay after the last request of a busy period ended', async () => {
    let runs = 0;
    const collector = new IdleCollector(30, () => runs++);
    const inflight = new InflightRequests(collector);
    const endA = inflight.begin(new AbortController());
    const endB = inflight.begin(new AbortController());
    endA();
    await sleep(60);
    expect(runs).toBe(0); // B still runs
    endB();
    endB(); // ending twice changes nothing
    await sleep(15);
    expect(runs).toBe(0);
    await sleep(45);
    expect(runs).toBe(1);
    await sleep(60);
    expect(runs).toBe(1); // once per idle period
  });

  it('does not collect when a request starts before the delay is over', async () => {
    let runs = 0;
    const inflight = new InflightRequests(new IdleCollector(40, () => runs++));
    inflight.begin(new AbortController())();
    await sleep(10);
    const end = inflight.begin(new AbortController());
    await sleep(60);
    expect(runs).toBe(0);
    end();
    await sleep(70);
    expect(runs).toBe(1);
  });

  it('never collects with a delay of 0', async () => {
    let runs = 0;
    const inflight = new InflightRequests(new IdleCollector(0, () => runs++));
    inflight.begin(new AbortController())();
    await sleep(30);
    expect(runs).toBe(0);
  });
});

describe('fullCollection', () => {
  it("gives V8's full collection, which frees unreachable memory", async () => {
    const collect = fullCollection();
    expect(typeof collect).toBe('function');
    collect!();
    const before = process.memoryUsage().heapUsed;
    let garbage: unknown[] | undefined = Array.from({ length: 200_000 }, (_, i) => ({ i, text: `item ${i}` }));
    expect(process.memoryUsage().heapUsed - before).toBeGreaterThan(5_000_000);
    garbage = undefined;
    collect!();
    expect(garbage).toBeUndefined();
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(2_000_000);
  });
});

describe('idleRelease', () => {
  const backend = (id: string, releaseIdleMemory?: () => Promise<void>) => ({ id, ...(releaseIdleMemory ? { releaseIdleMemory } : {}) }) as unknown as Backend;

  it("collects, then has every backend release its idle memory; a failing one is logged and the others still run", async () => {
    const order: string[] = [];
    const lines: string[] = [];
    const logger = createLogger({ destination: new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(chunk.toString()), done()) }) });
    const backends = [
      backend('throws', () => {
        order.push('throws');
        throw new Error('no binding');
      }),
      backend('plain'),
      backend('rejects', async () => {
        order.push('rejects');
        throw new Error('native failure');
      }),
      backend('gguf', async () => {
        order.push('gguf');
      }),
    ];
    idleRelease(() => backends, logger, () => order.push('collect'))();
    await sleep(10);
    expect(order).toEqual(['collect', 'throws', 'rejects', 'gguf']);
    expect(lines.map((line) => JSON.parse(line) as { backend: string; msg: string })).toEqual([
      expect.objectContaining({ backend: 'throws', msg: 'cannot release idle memory' }),
      expect.objectContaining({ backend: 'rejects', msg: 'cannot release idle memory' }),
    ]);
  });
});
