import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GgufBackend } from '@llmux/backend-gguf';
import { MODELS_DIR } from './helpers/test-server.js';

// The example of docs/library.md, with the model path made absolute.
describe('library use without the server', () => {
  it('loads a GGUF model and streams from it', async () => {
    const backend = new GgufBackend();
    const model = await backend.load(
      { id: 'stories', format: 'gguf', path: path.join(MODELS_DIR, 'stories260K.gguf') },
      { parallel: 1, maxQueue: 0, threads: 1 },
    );
    const stream = await model.stream({
      model: 'stories',
      messages: [{ role: 'user', content: 'Once upon a time' }],
      sampling: { temperature: 0 },
      maxTokens: 40,
    });
    let text = '';
    let reason = '';
    for await (const part of stream) {
      if (part.type === 'text-delta') text += part.text;
      if (part.type === 'finish') reason = part.reason;
    }
    await model.unload();
    expect(text.startsWith(', there was a little girl named Lily.')).toBe(true);
    expect(reason).toBe('length');
  });
});
