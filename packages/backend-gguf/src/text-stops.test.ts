import { describe, expect, it } from 'vitest';
import { TextStops } from './text-stops.js';

function feed(stops: string[], chunks: string[]) {
  const filter = new TextStops(stops);
  const out: string[] = [];
  for (const chunk of chunks) {
    out.push(filter.push(chunk));
    if (filter.stopped) break;
  }
  if (!filter.stopped) out.push(filter.flush());
  return { text: out.join(''), out, stopped: filter.stopped, matched: filter.matched };
}

describe('TextStops', () => {
  it('cuts before a stop string split across chunks and never sends its start', () => {
    const { text, out, stopped } = feed(['END'], ['abc E', 'N', 'D tail']);
    expect(stopped).toBe(true);
    expect(text).toBe('abc ');
    expect(out).toEqual(['abc ', '', '']);
  });

  it('releases held text once it can no longer start a stop string', () => {
    const { out, stopped } = feed(['END'], ['abc E', 'x']);
    expect(stopped).toBe(false);
    expect(out).toEqual(['abc ', 'Ex', '']);
  });

  it('stops at the earliest of several stop strings and flushes what is held at the end', () => {
    expect(feed(['world', 'lo'], ['hello world'])).toMatchObject({ text: 'hel', matched: 'lo' });
    expect(feed(['xyz'], ['abc x']).text).toBe('abc x');
    expect(feed([], ['a', 'b']).text).toBe('ab');
  });
});
