import { mkdtemp, readFile, rm, writeFile, cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '@llmux/core';
import { ModelTokenizer } from './model-tokenizer.js';

const BROWN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../models/brown-llama-1m-mlx');

describe('ModelTokenizer', () => {
  it('renders the ChatML template with a generation prompt and encodes its special tokens', async () => {
    const tokenizer = await ModelTokenizer.load(BROWN, [1021, 1023], 1021);
    const ids = tokenizer.chatPrompt([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'The jury said' },
    ]);
    expect(tokenizer.decode(ids)).toBe('system\nBe brief.\nuser\nThe jury said\nassistant\n');
    expect(ids.filter((id) => id === 1022)).toHaveLength(3);
    expect(tokenizer.stopTokens).toEqual(expect.arrayContaining([1021, 1023]));
  });

  it("turns a template's raise_exception into a 400 naming the messages", async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'llmux-template-'));
    try {
      await cp(BROWN, folder, { recursive: true });
      const config = JSON.parse(await readFile(path.join(folder, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
      config['chat_template'] = "{% if messages[0]['role'] != 'user' %}{{ raise_exception('Conversations must start with a user message') }}{% endif %}x";
      await writeFile(path.join(folder, 'tokenizer_config.json'), JSON.stringify(config));
      const tokenizer = await ModelTokenizer.load(folder, [], undefined);
      expect(() => tokenizer.chatPrompt([{ role: 'system', content: 'hi' }])).toThrow(InvalidRequestError);
      expect(() => tokenizer.chatPrompt([{ role: 'system', content: 'hi' }])).toThrow(/must start with a user message/);
      expect(tokenizer.chatPrompt([{ role: 'user', content: 'hi' }]).length).toBeGreaterThan(0);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
