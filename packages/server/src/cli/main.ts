#!/usr/bin/env node
import './thread-pool-size.js';
import { Command } from 'commander';
import { LlmuxError } from '@llmux/core';
import { serveCommand } from './serve-command.js';
import { VERSION } from '../version.js';

const program = new Command()
  .name('llmux')
  .description('A local LLM inference server and router with an OpenAI-compatible API.')
  .version(VERSION);

program
  .command('serve')
  .description('Start the HTTP server (OpenAI API under /v1, admin API under /admin).')
  .option('-c, --config <file>', 'config file (default: search llmux.config.* / .llmuxrc* in the current folder)')
  .option('-p, --port <n>', 'port to listen on (default 1234; 0 picks a free port)')
  .option('-H, --host <host>', 'address to bind (default 127.0.0.1)')
  .option('-m, --model <path>', 'serve this GGUF file (alias "default" when no other model has it)')
  .option('-t, --threads <n>', 'CPU threads per model (default: chosen from the model size)')
  .option('--parallel <n>', 'concurrent sequences per model (default 4)')
  .option('--gpu <type>', 'GPU for models whose config names none: auto, cuda, vulkan, metal or false (default false)')
  .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent')
  .action(serveCommand);

program.parseAsync().catch((error: unknown) => {
  const message = error instanceof LlmuxError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`llmux: ${message}\n`);
  process.exit(1);
});
