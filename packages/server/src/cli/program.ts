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
  .option('--context-size <n>', 'context length per sequence, in tokens (default: the trained length, at most 4096)')
  .option('--batch-size <n>', 'prompt tokens evaluated per step (default 512)')
  .option('--flash-attention', 'use flash attention (default: off on CPU, on when --kv-cache is quantized)')
  .option('--no-flash-attention', 'do not use flash attention')
  .option('--kv-cache <type>', 'KV-cache element type: f16, q8_0 or q4_0 (default f16)')
  .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent')
  .action(serveCommand);

program.parseAsync().catch((error: unknown) => {
  const message = error instanceof LlmuxError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`llmux: ${message}\n`);
  process.exit(1);
});
