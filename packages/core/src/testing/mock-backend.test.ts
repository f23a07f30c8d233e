import { describe, expect, it } from 'vitest';
import { describeBackendContract } from './backend-contract.js';
import { collectStream } from './collect-stream.js';
import { MockBackend } from './mock-backend.js';

const location = { id: 'mock-model', format: 'custom' as const, path: 'mock' };

describeBackendContract({
  name: 'MockBackend',
  createBackend: () => new MockBackend({ contextLength: 128 }),
  model: location,
  loadOptions: { parallel: 2, maxQueue: 2 },
});

describe('MockBackend', () => {
  it('records its calls and fails where told to', async () => {
    const backend = new MockBackend({ failAfterTokens: 3 });
    const model = await backend.load(location, { parallel: 1, maxQueue: 0 });
    const { finish, text } = await collectStream(
      await model.stream({ model: 'mock-model', messages: [{ role: 'user', content: 'a b' }], sampling: {} }),
    );
    expect(text).toBe(' dolor sit amet');
    expect(finish).toMatchObject({ reason: 'error', usage: { promptTokens: 2, completionTokens: 3 } });
    await model.unload();
    expect(backend.calls.map((call) => call.method)).toEqual(['load', 'stream', 'unload']);
    await expect(new MockBackend({ failLoad: new Error('no disk') }).load(location, { parallel: 1, maxQueue: 0 })).rejects.toThrow(
      /no disk/,
    );
  });

  it('ends with reason stop at its end-of-text token', async () => {
    const backend = new MockBackend({ stopAfterTokens: 2 });
    const model = await backend.load(location, { parallel: 1, maxQueue: 0 });
    const { finish, text } = await collectStream(
      await model.stream({ model: 'mock-model', messages: [{ role: 'user', content: 'x' }], sampling: {}, maxTokens: 10 }),
    );
    expect(text).toBe(' ipsum dolor');
    expect(finish).toMatchObject({ reason: 'stop', raw: 'end-of-text' });
  });
});
