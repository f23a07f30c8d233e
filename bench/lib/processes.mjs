// Child processes for the benchmarks: servers on free loopback ports, their memory, clean stops.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const llmuxMain = path.join(root, 'packages/server/dist/cli/main.cjs');

export function fail(message) {
  process.stderr.write(`bench: ${message}\n`);
  for (const child of started) child.kill('SIGKILL');
  process.exit(1);
}

export const log = (...parts) => process.stderr.write(parts.join(' ') + '\n');

// Servers this process started: stopped when it is interrupted, so none outlives the benchmark.
const started = new Set();
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    for (const child of started) child.kill('SIGKILL');
    process.exit(130);
  });
}

/** Kills `child` if this process is interrupted before it ends. */
export function track(child) {
  started.add(child);
  child.once('exit', () => started.delete(child));
  return child;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Resident set size of a process, in bytes (Linux /proc). */
export function rssOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) * 1024;
}

export function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  child.stopping = true;
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Starts an HTTP server process on a free loopback port and waits until `readyPath` answers 200.
 * `argv(port)` gives its arguments. Resolves { child, pid, base, stop }.
 */
export async function startServerProcess({ name, command, argv, readyPath, env = {}, timeoutMs = 120_000 }) {
  const port = await freePort();
  const child = spawn(command, argv(port), { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
  track(child);
  let stderr = '';
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  child.on('exit', (code) => {
    if (code && !child.stopping) log(`${name} exited with ${code}:\n${stderr}`);
  });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) fail(`${name} exited with code ${child.exitCode}:\n${stderr}`);
    if (await fetch(base + readyPath).then((r) => r.ok, () => false)) break;
    if (Date.now() > deadline) {
      await stopChild(child);
      fail(`${name} did not answer ${base}${readyPath} within ${timeoutMs / 1000} s`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { child, pid: child.pid, base, stop: () => stopChild(child) };
}

/** The node flags on the llmux executable's shebang line (`#!/usr/bin/env -S node FLAGS`). */
export function llmuxNodeFlags() {
  const shebang = readFileSync(llmuxMain, 'utf8').split('\n', 1)[0];
  return shebang.replace(/^#!.*?\bnode\b/, '').trim().split(/\s+/).filter(Boolean);
}

/** `llmux serve` (the real CLI, run as its executable runs) with the given flags; quiet logs. */
export function startLlmux(flags, env = {}) {
  if (!existsSync(llmuxMain)) fail(`${llmuxMain} is missing: run 'pnpm build' first`);
  return startServerProcess({
    name: 'llmux',
    command: process.execPath,
    argv: (port) => [...llmuxNodeFlags(), llmuxMain, 'serve', ...flags, '--host', '127.0.0.1', '--port', String(port), '--log-level', 'warn'],
    readyPath: '/v1/models',
    env,
  });
}
