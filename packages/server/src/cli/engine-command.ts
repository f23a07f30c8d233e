import { buildLocalBinding, disposeLlamaRuntimes, findLocalBuild, getLlamaRuntime, gpuOfBuildFolder, type BuildGpu } from '@llmux/backend-gguf';
import { LlmuxError } from '@llmux/core';

export interface EngineBuildOptions {
  gpu?: string;
  quiet?: boolean;
}

function parseGpu(value: string | undefined): BuildGpu {
  if (value === undefined || value === 'false' || value === 'cpu') return false;
  if (value === 'cuda' || value === 'vulkan' || value === 'metal') return value;
  throw new LlmuxError('invalid_request', `--gpu must be cuda, vulkan, metal or false (got "${value}")`);
}

/**
 * `llmux engine build [--gpu cuda]`: compiles the llama.cpp binding on this machine, offline, from the source
 * that node-llama-cpp bundles, with OpenMP and llmux's patch (decode steps that pick greedy tokens themselves);
 * `llmux serve` uses it from then on for models whose gpu setting matches.
 */
export async function engineBuildCommand(options: EngineBuildOptions): Promise<void> {
  const gpu = parseGpu(options.gpu);
  const started = Date.now();
  process.stderr.write(`llmux: compiling the llama.cpp binding (${gpu === false ? 'CPU' : gpu}); this takes minutes\n`);
  const build = await buildLocalBinding({ gpu, onOutput: options.quiet ? undefined : (chunk) => process.stderr.write(chunk) });
  process.stdout.write(`built ${build.folderName} in ${Math.round((Date.now() - started) / 1000)} s; llmux serve uses it for models with gpu: ${gpuOfBuildFolder(build.folderName) || 'false'} or auto\n`);
}

/** `llmux engine status`: which binding a CPU model gets: prebuilt, or compiled here by `llmux engine build`. */
export async function engineStatusCommand(options: { json?: boolean }): Promise<void> {
  const local = findLocalBuild();
  try {
    const llama = await getLlamaRuntime(false);
    const status = {
      binary: llama.buildType,
      folder: local && llama.buildType === 'localBuild' ? local.folderName : undefined,
      gpu: llama.gpu,
      cpuMathCores: llama.cpuMathCores,
    };
    if (options.json) process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
    else {
      process.stdout.write(`binding: ${status.binary}${status.folder ? ` (${status.folder})` : ''}, gpu: ${status.gpu || 'none'}\n`);
      if (status.binary !== 'localBuild') process.stdout.write("run 'llmux engine build' once for OpenMP threads and greedy picks inside the decode step\n");
    }
  } finally {
    await disposeLlamaRuntimes();
  }
}
