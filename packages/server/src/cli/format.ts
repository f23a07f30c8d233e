import bytes from 'bytes';

/** `1234567` -> `1.18 MB`. */
export function formatBytes(value: number | null | undefined): string {
  return value === null || value === undefined ? '-' : (bytes.format(value, { unitSeparator: ' ', decimalPlaces: 2 }) ?? '-');
}

/** Seconds as `45s`, `12m 5s`, `2h 3m`. */
export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${seconds % 60}s`;
  return `${Math.floor(seconds / 3600)}h ${Math.floor((seconds % 3600) / 60)}m`;
}

/** A plain text table: a header row and left-aligned columns two spaces apart. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
