/** One finding of `llmux doctor`. */
export interface CheckResult {
  /** What was checked, e.g. "node", "config", "model stories260K". */
  name: string;
  /** `fail` makes the exit code non-zero; `warn` works but deserves a look. */
  status: 'ok' | 'warn' | 'fail';
  detail: string;
  /** What to do about a warn or fail. */
  fix?: string;
}

export const ok = (name: string, detail: string): CheckResult => ({ name, status: 'ok', detail });
export const warn = (name: string, detail: string, fix: string): CheckResult => ({ name, status: 'warn', detail, fix });
export const fail = (name: string, detail: string, fix: string): CheckResult => ({ name, status: 'fail', detail, fix });

const MARK = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' } as const;

/** One line per check, with its fix indented below. */
export function formatResults(results: readonly CheckResult[]): string {
  return results
    .map((r) => `[${MARK[r.status]}] ${r.name}: ${r.detail}${r.fix ? `\n       fix: ${r.fix}` : ''}`)
    .join('\n')
    .concat('\n');
}
