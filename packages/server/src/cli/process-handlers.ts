import type { Logger } from '@llmux/core';

export interface ProcessHandlerOptions {
  logger: Logger;
  /** Graceful stop (drain, abort, unload); resolves when done. */
  stop: () => Promise<void>;
  exit?: (code: number) => void;
}

/**
 * Signals and last-resort error handlers for the `serve` process.
 * SIGTERM/SIGINT: graceful stop, exit 0; a second signal: exit 1 at once.
 * An unhandled rejection is logged with its stack and the server keeps serving (it belongs to one
 * operation, which already failed). An uncaught exception leaves the process in an unknown state:
 * it is logged as fatal, then the server stops gracefully and exits 1.
 */
export function installProcessHandlers({ logger, stop, exit = (code) => process.exit(code) }: ProcessHandlerOptions): void {
  let stopping = false;
  const shutdown = (code: number) => {
    stopping = true;
    stop().then(
      () => {
        logger.info('stopped');
        exit(code);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        exit(1);
      },
    );
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      exit(1);
      return;
    }
    logger.info({ signal }, 'shutting down: no new requests; in-flight requests may finish');
    shutdown(0);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('unhandledRejection', (reason) => {
    logger.error({ err: reason, origin: 'unhandledRejection' }, 'unhandled promise rejection (the server keeps serving)');
  });
  process.on('uncaughtException', (error, origin) => {
    logger.fatal({ err: error, origin }, 'uncaught exception: stopping the server');
    if (!stopping) shutdown(1);
  });
}
