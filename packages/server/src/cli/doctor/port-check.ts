import { createServer } from 'node:net';
import { fail, ok, warn, type CheckResult } from './check-result.js';

/** Whether `llmux serve` could listen on the configured address; an llmux already there is a warning, not a failure. */
export async function checkPort(host: string, port: number): Promise<CheckResult> {
  const name = 'port';
  if (port === 0) return ok(name, 'port 0: a free port is chosen at start');
  const error = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
    const server = createServer();
    server.once('error', (e: NodeJS.ErrnoException) => resolve(e));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
  if (!error) return ok(name, `${host}:${port} is free`);
  if (error.code === 'EADDRINUSE') {
    const url = `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host}:${port}/admin/health`;
    const llmux = await fetch(url, { signal: AbortSignal.timeout(2000) })
      .then(async (res) => res.ok && /"status"/.test(await res.text()))
      .catch(() => false);
    if (llmux) return warn(name, `${host}:${port} is taken by a running llmux server`, "that is fine if it is yours; stop it ('llmux service uninstall' or Ctrl-C) before starting another, or pass --port");
    return fail(name, `${host}:${port} is taken by another program`, `stop that program, or set server.port in the config (or pass --port)`);
  }
  if (error.code === 'EADDRNOTAVAIL') return fail(name, `${host} is not an address of this machine`, 'set server.host to 127.0.0.1, 0.0.0.0 or an address this machine has');
  if (error.code === 'EACCES') return fail(name, `no permission to listen on ${host}:${port}`, 'use a port above 1023 (server.port)');
  return fail(name, `cannot listen on ${host}:${port}: ${error.message}`, 'check server.host and server.port');
}
