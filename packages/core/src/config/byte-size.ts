import bytes from 'bytes';

/**
 * Parses a size such as `1073741824`, `"512MB"` or `"8GB"` into bytes (units are powers of 1024,
 * as the `bytes` package reads them). Returns undefined when the text is not a size.
 */
export function parseByteSize(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? Math.floor(value) : undefined;
  if (!/^\s*\d+(\.\d+)?\s*([kmgtp]i?b|b)?\s*$/i.test(value)) return undefined;
  const parsed = bytes.parse(value.replace(/ib$/i, 'b'));
  return parsed !== null && parsed > 0 ? parsed : undefined;
}
