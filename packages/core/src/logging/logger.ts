import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/** Paths whose values never reach a log line. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["proxy-authorization"]',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers["proxy-authorization"]',
  'headers["x-api-key"]',
  'headers.cookie',
  'authorization',
  'apiKey',
  'apiKeys',
  'adminApiKeys',
  'token',
  'hfToken',
  'HF_TOKEN',
  'LLMUX_API_KEY',
  'LLMUX_ADMIN_API_KEY',
  'password',
  '*.apiKey',
  '*.apiKeys',
  '*.adminApiKeys',
  '*.token',
  '*.hfToken',
  '*.HF_TOKEN',
  '*.LLMUX_API_KEY',
  '*.LLMUX_ADMIN_API_KEY',
  '*.password',
  '*.authorization',
  '*.headers.authorization',
  '*.headers["x-api-key"]',
  '*.headers["proxy-authorization"]',
  '*.headers.cookie',
  'config.server.apiKeys',
  'config.server.adminApiKeys',
  'server.apiKeys',
  'server.adminApiKeys',
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
