import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BackendUnavailableError, type LlmuxConfig, type Logger } from '@llmux/core';
import { buildApp } from './app.js';
import { warnIfOpenWithoutKeys } from './http/exposure-warning.js';
import { createRuntime, type Runtime, type RuntimeOptions } from './runtime/runtime.js';

export interface RunningServer {
  runtime: Runtime;
  server: Server;
  /** `http://host:port` */
  url: string;
  port: number;
  /**
   * Graceful stop: no new connections, in-flight requests get `shutdownTimeout` to finish,
   * then are aborted (streams get a final error chunk), models unload.
   */
  stop(): Promise<void>;
}

/** Builds the runtime and app and listens. Port 0 picks a free port. */
export async function startServer(config: LlmuxConfig, logger: Logger, options: RuntimeOptions = {}): Promise<RunningServer> {
  const runtime = await createRuntime(config, logger, options);
  const app = buildApp(runtime);
  const bodyMs = config.server.bodyTimeout * 1000;
  const server = createServer(
    {
      // Slow clients (slowloris) get 408 once headers and body take longer than `bodyTimeout`;
      // Node checks at this interval, so keep it well below the timeout.
      requestTimeout: bodyMs,
      headersTimeout: bodyMs,
      connectionsCheckingInterval: Math.max(250, Math.min(30_000, Math.floor(bodyMs / 4))),
    },
    app,
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.server.port, config.server.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host;
  warnIfOpenWithoutKeys(config, logger);
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const drained = await runtime.inflight.waitIdle(config.server.shutdownTimeout * 1000);
      if (!drained) {
        logger.warn({ inflight: runtime.inflight.size }, 'shutdown deadline passed; aborting in-flight requests');
        runtime.inflight.abortAll(new BackendUnavailableError('The server is shutting down.'));
        await runtime.inflight.waitIdle(2000);
      }
      server.closeAllConnections();
      await closed;
      const models = [...runtime.manager.loaded().keys()];
      await runtime.close();
      logger.info({ models }, 'models unloaded');
    })());
  return { runtime, server, url: `http://${host}:${port}`, port, stop };
}
