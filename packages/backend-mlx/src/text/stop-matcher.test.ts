import { describe, expect, it } from 'vitest';
import { StopMatcher } from './stop-matcher.js';

describe('StopMatcher', () => {
  it('holds back a possible start of a stop string and cuts before the stop', () => {
    const matcher = new StopMatcher(['END', 'xyz']);
    expect(matcher.push('hello E')).toEqual({ text: 'hello ', stopped: false });
    expect(matcher.push('N')).toEqual({ text: '', stopped: false });
    expect(matcher.push('D and more')).toEqual({ text: '', stopped: true });
  });

  it('releases held text that turns out not to be a stop, and at the end', () => {
    const matcher = new StopMatcher(['END']);
    expect(matcher.push('an E')).toEqual({ text: 'an ', stopped: false });
    expect(matcher.push('lephant')).toEqual({ text: 'Elephant', stopped: false });
    expect(matcher.push(' E')).toEqual({ text: ' ', stopped: false });
    expect(matcher.flush()).toBe('E');
  });

  it('passes everything through without stop strings', () => {
    const matcher = new StopMatcher([]);
    expect(matcher.push('abc')).toEqual({ text: 'abc', stopped: false });
  });
});
