import { InvalidRequestError } from '@llmux/core';

const UNIT_SECONDS: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/**
 * Ollama's `keep_alive` in seconds: a number is seconds, a string is a Go duration
 * (`"5m"`, `"1h30m"`, `"-1"`; a bare number string is seconds). Negative means forever.
 */
export function parseKeepAlive(value: number | string): number {
  if (typeof value === 'number') return value;
  const text = value.trim();
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  const match = /^(-?)((?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+)$/.exec(text);
  if (!match) {
    throw new InvalidRequestError(`Invalid 'keep_alive': '${value}' is not a duration (use seconds or a duration like "5m", "1h", "-1").`, {
      param: 'keep_alive',
    });
  }
  let seconds = 0;
  for (const [, amount, unit] of match[2]!.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) seconds += Number(amount) * UNIT_SECONDS[unit!]!;
  return match[1] === '-' ? -seconds : seconds;
}
