export { createLogger, silentLogger, REDACTED_PATHS, type CreateLoggerOptions, type Logger } from './logger.js';
