import { describe, expect, it } from 'vitest';
import { ChatMLChatWrapper, HarmonyChatWrapper, QwenChatWrapper } from 'node-llama-cpp';
import { hasSegments } from './chat-wrapper.js';
import { PlainChatWrapper } from './plain-chat-wrapper.js';

describe('hasSegments', () => {
  it('tells templates with reasoning or comment segments from those without', () => {
    expect(hasSegments(new QwenChatWrapper())).toBe(true);
    expect(hasSegments(new HarmonyChatWrapper())).toBe(true);
    expect(hasSegments(new ChatMLChatWrapper())).toBe(false);
    expect(hasSegments(new PlainChatWrapper())).toBe(false);
  });
});
