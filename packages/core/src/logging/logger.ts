import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/** Paths whose values never reach a log line. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers["x-api-key"]',
  'apiKey',
  'apiKeys',
  'adminApiKeys',
  'token',
  'hfToken',
  '*.apiKey',
  '*.apiKeys',
  '*.adminApiKeys',
  '*.token',
  '*.authorization',
];

export interface CreateLoggerOptions {
  level?: LoggerOptions['level'];
  /** Write pretty lines instead of JSON (only when a TTY and pino-pretty exist; JSON otherwise). */
  destination?: pino.DestinationStream;
}

/** The process logger: JSON lines, secrets redacted. */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const config: LoggerOptions = {
    level: options.level ?? 'info',
    base: { name: 'llmux' },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}

/** A logger that drops everything (tests, library use without logging). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
