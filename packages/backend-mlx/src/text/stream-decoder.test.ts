import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ModelTokenizer } from './model-tokenizer.js';
import { StreamDecoder } from './stream-decoder.js';

const BROWN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../models/brown-llama-1m-mlx');

describe('StreamDecoder', () => {
  it('never emits half a UTF-8 character, and the pieces add up to the whole text', async () => {
    const tokenizer = await ModelTokenizer.load(BROWN, [], undefined);
    const text = 'Le café coûte 3 € — 😀 naïve ünïcode';
    const ids = tokenizer.encode(text);
    // Byte-level BPE with a 1,024-token vocabulary splits these characters into several tokens.
    expect(ids.length).toBeGreaterThan(text.length / 2);
    const decoder = new StreamDecoder((tokens) => tokenizer.decode(tokens));
    const pieces = ids.map((id) => decoder.push(id));
    pieces.push(decoder.flush());
    for (const piece of pieces) expect(piece).not.toContain('\uFFFD');
    expect(pieces.join('')).toBe(text);
    expect(pieces.filter((piece) => piece === '').length).toBeGreaterThan(0);
  });

  it('drops an incomplete character left at the end', async () => {
    const tokenizer = await ModelTokenizer.load(BROWN, [], undefined);
    const ids = tokenizer.encode('ab😀');
    const decoder = new StreamDecoder((tokens) => tokenizer.decode(tokens));
    let text = '';
    for (const id of ids.slice(0, -1)) text += decoder.push(id);
    text += decoder.flush();
    expect(text).toBe('ab');
  });
});

describe('StreamDecoder on a SentencePiece tokenizer', () => {
  it('keeps the leading space of the first piece after the prompt', async () => {
    const { convertGgufToMlx } = await import('../convert/gguf-to-mlx.js');
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const folder = await mkdtemp(path.join(tmpdir(), 'llmux-spm-'));
    try {
      await convertGgufToMlx(path.join(BROWN, '../stories260K.gguf'), folder, { overwrite: true });
      const tokenizer = await ModelTokenizer.load(folder, [2], 1);
      const prompt = tokenizer.encode('The dog was sad because');
      const continuation = tokenizer.encode('The dog was sad because he lost it').slice(prompt.length);
      const decoder = new StreamDecoder((tokens) => tokenizer.decode(tokens), prompt.at(-1));
      expect(continuation.map((id) => decoder.push(id)).join('') + decoder.flush()).toBe(' he lost it');
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
