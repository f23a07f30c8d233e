import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { AbortedError, type LlmuxConfig, type Logger } from '@llmux/core';
import { buildApp } from './app.js';
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
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(config.server.port, config.server.host, (error?: Error) => (error ? reject(error) : resolve(listening)));
    listening.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const host = config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host;
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const drained = await runtime.inflight.waitIdle(config.server.shutdownTimeout * 1000);
      if (!drained) {
        logger.warn({ inflight: runtime.inflight.size }, 'shutdown deadline passed; aborting in-flight requests');
        runtime.inflight.abortAll(new AbortedError('The server is shutting down.'));
        await runtime.inflight.waitIdle(2000);
      }
      server.closeAllConnections();
      await closed;
      await runtime.close();
    })());
  return { runtime, server, url: `http://${host}:${port}`, port, stop };
}
