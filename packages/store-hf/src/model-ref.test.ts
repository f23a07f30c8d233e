import { describe, expect, it } from 'vitest';
import { formatHubRef, parseModelRef } from './model-ref.js';

describe('parseModelRef', () => {
  it('reads hub references in their three forms, with or without a hub prefix', () => {
    expect(parseModelRef('Qwen/Qwen2.5-0.5B-Instruct-GGUF')).toEqual({ kind: 'hub', repo: 'Qwen/Qwen2.5-0.5B-Instruct-GGUF' });
    expect(parseModelRef('hf:Qwen/Qwen2.5-0.5B-Instruct-GGUF:q4_k_m')).toEqual({ kind: 'hub', repo: 'Qwen/Qwen2.5-0.5B-Instruct-GGUF', quant: 'q4_k_m' });
    expect(parseModelRef('https://huggingface.co/org/repo/sub/model-Q8_0.gguf')).toEqual({ kind: 'hub', repo: 'org/repo', file: 'sub/model-Q8_0.gguf' });
    expect(parseModelRef('hf.co/org/repo:Q8_0')).toEqual({ kind: 'hub', repo: 'org/repo', quant: 'Q8_0' });
  });

  it('tells local paths from hub references, and bare names from both', () => {
    expect(parseModelRef('./models/a.gguf')).toEqual({ kind: 'local', path: './models/a.gguf' });
    expect(parseModelRef('/abs/folder')).toEqual({ kind: 'local', path: '/abs/folder' });
    expect(parseModelRef('~/models/a.gguf')).toEqual({ kind: 'local', path: '~/models/a.gguf' });
    expect(parseModelRef('qwen:0.5b')).toBeUndefined();
    expect(parseModelRef('stories')).toBeUndefined();
  });

  it('rejects a reference naming both a file and a quantization', () => {
    expect(() => parseModelRef('org/repo/file.gguf:Q8_0')).toThrow(/both a file and a quantization/);
  });

  it('formats the canonical id', () => {
    expect(formatHubRef({ kind: 'hub', repo: 'org/repo', quant: 'q4_k_m' })).toBe('org/repo:Q4_K_M');
    expect(formatHubRef({ kind: 'hub', repo: 'org/repo', file: 'a.gguf' })).toBe('org/repo/a.gguf');
  });
});
