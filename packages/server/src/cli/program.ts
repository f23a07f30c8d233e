import { Command } from 'commander';
import { LlmuxError } from '@llmux/core';
import { convertCommand } from './convert-command.js';
import { listCommand } from './list-command.js';
import { psCommand } from './ps-command.js';
import { pullCommand } from './pull-command.js';
import { rmCommand } from './rm-command.js';
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
  .option('--context-size <n>', 'context length per sequence, in tokens (default: the trained length, at most 4096)')
  .option('--batch-size <n>', 'prompt tokens evaluated per step (default 512)')
  .option('--flash-attention', 'use flash attention (default: off on CPU, on when --kv-cache is quantized)')
  .option('--no-flash-attention', 'do not use flash attention')
  .option('--kv-cache <type>', 'KV-cache element type: f16, q8_0 or q4_0 (default f16)')
  .option('--prompt-cache <size>', 'room for sequence states kept beyond the sequences, e.g. 2GB; 0 turns it off (default 1GB)')
  .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent')
  .action(serveCommand);

program
  .command('convert')
  .description('Convert a GGUF model (F32, F16, BF16 or Q8_0) into an MLX model folder.')
  .argument('<gguf>', 'the GGUF file')
  .argument('<folder>', 'the MLX folder to write')
  .option('-q, --quantize <bits>', 'group-quantize linear layers and embedding to 4 or 8 bits')
  .option('--group-size <n>', 'quantization group size, 32 or 64 (default 64)')
  .option('-f, --force', 'replace the folder if it is not empty')
  .action(convertCommand);

program
  .command('pull')
  .description('Download a model from the Hugging Face hub into the local cache (resumes, verifies SHA-256).')
  .argument('<model>', 'org/repo, org/repo:QUANT (e.g. :Q4_K_M), org/repo/file.gguf, or an alias')
  .option('-c, --config <file>', 'config file (store.cacheDir, store.hfEndpoint, aliases)')
  .action(pullCommand);

program
  .command('list')
  .alias('ls')
  .description('List the models in the store: configured ones and the hub cache, with size, format, quantization, architecture and context.')
  .option('-c, --config <file>', 'config file')
  .option('--json', 'print JSON')
  .action(listCommand);

program
  .command('ps')
  .description("Show the models a running server holds: memory, time until unload, requests.")
  .option('-c, --config <file>', 'config file (for the server address)')
  .option('-u, --url <url>', 'server address (default $LLMUX_URL or the configured host and port)')
  .option('--json', 'print JSON')
  .action(psCommand);

program
  .command('rm')
  .description('Delete pulled models from the hub cache.')
  .argument('<models...>', 'references as pulled (org/repo:QUANT, org/repo/file.gguf, org/repo) or aliases')
  .option('-c, --config <file>', 'config file')
  .action(rmCommand);

program
  .command('run')
  .description('Chat with a model in the terminal (streaming), on the running server or, when none answers, in this process.')
  .argument('<model>', 'a model id, alias, pulled reference or GGUF path')
  .argument('[prompt]', 'answer this one prompt and exit')
  .option('-c, --config <file>', 'config file')
  .option('-u, --url <url>', 'server address (default $LLMUX_URL or the configured host and port)')
  .option('--local', 'do not look for a running server; serve in this process')
  .option('-s, --system <text>', 'system message')
  .option('--max-tokens <n>', 'most tokens per reply')
  .option('--temperature <t>', 'sampling temperature')
  .action(async (...args: Parameters<typeof import('./run-command.js').runCommand>) => (await import('./run-command.js')).runCommand(...args));

const engine = program.command('engine').description('The llama.cpp binding that runs GGUF models: build one for this machine, or see which is used.');
engine
  .command('build')
  .description('Compile the llama.cpp binding on this machine (offline, minutes; needs cmake, a C++ compiler and git): OpenMP threads and greedy tokens picked inside the decode step. serve uses it from then on.')
  .option('--gpu <type>', 'cuda, vulkan, metal or false (default false: CPU)')
  .option('-q, --quiet', 'do not print the compiler output')
  .action(async (options: import('./engine-command.js').EngineBuildOptions) => (await import('./engine-command.js')).engineBuildCommand(options));
engine
  .command('status')
  .description('Which binding CPU models get: prebuilt or built on this machine.')
  .option('--json', 'print JSON')
  .action(async (options: { json?: boolean }) => (await import('./engine-command.js')).engineStatusCommand(options));

program
  .command('doctor')
  .description('Check this machine and the config and say what to fix: Node, native binding and GPU, CPU features, config, port, model files and checksums, memory, hub cache. Exit 1 when something is wrong.')
  .option('-c, --config <file>', 'config file (default: search the current folder)')
  .option('--json', 'print JSON')
  .action(async (options: import('./doctor/doctor-command.js').DoctorOptions) => (await import('./doctor/doctor-command.js')).doctorCommand(options));

program
  .command('config')
  .description('Work with the config file.')
  .command('check')
  .description('Validate the config as `llmux serve` would; lists each bad key path. Exit 1 when invalid.')
  .option('-c, --config <file>', 'config file (default: search the current folder)')
  .option('--json', 'print JSON')
  .action(async (options: import('./doctor/doctor-command.js').DoctorOptions) => (await import('./doctor/doctor-command.js')).configCheckCommand(options));

const service = program.command('service').description('Run llmux as a user service: systemd user unit on Linux, launchd agent on macOS.');
const serviceRun = (action: 'install' | 'uninstall' | 'status' | 'logs') => async (options: import('./service/service-command.js').ServiceOptions) => {
  const { serviceAction } = await import('./service/service-command.js');
  process.exitCode = await serviceAction(action, options);
};
service
  .command('install')
  .description('Install and start the service with this config (absolute path), restarting on failure.')
  .option('-c, --config <file>', 'config file (default: search the current folder)')
  .option('--print', 'print the unit or plist instead of installing it')
  .action(serviceRun('install'));
service.command('uninstall').description('Stop the service and remove it.').action(serviceRun('uninstall'));
service
  .command('status')
  .description('Whether the service runs and its server answers /admin/health (exit 1 when not).')
  .option('-c, --config <file>', 'config file (for the server address)')
  .option('--json', 'print JSON')
  .action(serviceRun('status'));
service
  .command('logs')
  .description('Show the service log (journal on Linux, ~/Library/Logs/llmux/llmux.log on macOS).')
  .option('-n, --lines <n>', 'lines to show (default 100)')
  .option('-f, --follow', 'keep printing new lines')
  .action(serviceRun('logs'));

program.parseAsync().catch((error: unknown) => {
  const message = error instanceof LlmuxError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`llmux: ${message}\n`);
  process.exit(1);
});
