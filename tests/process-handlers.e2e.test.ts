import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const SERVER_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../packages/server');
const HANDLERS = pathToFileURL(path.join(SERVER_DIR, 'dist/cli/process-handlers.js')).href;

/** A process with llmux's handlers that loses a promise, then throws from a timer. */
const SCRIPT = `
import { createLogger } from '@llmux/core';
import { installProcessHandlers } from '${HANDLERS}';
const logger = createLogger({ level: 'info' });
const serving = setInterval(() => logger.info('still serving'), 30);
installProcessHandlers({ logger, stop: () => { clearInterval(serving); return new Promise((resolve) => setTimeout(resolve, 20)); } });
Promise.reject(new Error('lost promise'));
setTimeout(() => { throw new Error('thrown from a timer'); }, 120);
`;

describe('process-level error handlers', () => {
  it('log an unhandled rejection and keep going; log an uncaught exception as fatal, stop, exit 1', async () => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', SCRIPT], { cwd: SERVER_DIR });
    let out = '';
    child.stdout.on('data', (data: Buffer) => (out += data.toString()));
    child.stderr.on('data', (data: Buffer) => (out += data.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    const entries = out
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { level: number; msg: string; origin?: string; err?: { message: string; stack: string } });
    expect(code).toBe(1);
    const rejection = entries.findIndex((e) => e.origin === 'unhandledRejection');
    expect(entries[rejection]).toMatchObject({ level: 50, err: { message: 'lost promise' } });
    expect(entries[rejection]!.err!.stack).toContain('Error: lost promise');
    const fatal = entries.findIndex((e) => e.level === 60);
    expect(entries[fatal]).toMatchObject({ origin: 'uncaughtException', err: { message: 'thrown from a timer' } });
    // Between the two, the process kept serving.
    expect(entries.slice(rejection, fatal).some((e) => e.msg === 'still serving')).toBe(true);
    expect(entries.at(-1)!.msg).toBe('stopped');
  });
});
