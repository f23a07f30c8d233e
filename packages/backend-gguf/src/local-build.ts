import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { LlmuxError } from '@llmux/core';
import { findLocalBuild, nodeLlamaCppFolder, type LocalBuild } from './llama-binary-choice.js';

export type BuildGpu = 'cuda' | 'vulkan' | 'metal' | false;

export interface LocalBuildOptions {
  /** GPU layer to compile (default false: CPU only). */
  gpu?: BuildGpu;
  /** Receives the compiler's output as it comes (default: dropped). */
  onOutput?: (chunk: string) => void;
}

/** The folder of node-llama-cpp's prebuilt binaries for this platform, or undefined where there is none. */
export function prebuiltBinariesFolder(platform: string = process.platform, arch: string = process.arch): string | undefined {
  try {
    // node-llama-cpp's own optional dependency, resolved from where node-llama-cpp is installed
    const fromNodeLlamaCpp = createRequire(path.join(nodeLlamaCppFolder(), 'package.json'));
    const main = fromNodeLlamaCpp.resolve(`@node-llama-cpp/${platform}-${arch}`); // <package>/dist/index.js
    const folder = path.join(path.dirname(main), '..', 'bins', `${platform}-${arch}`);
    return existsSync(folder) ? folder : undefined;
  } catch {
    return undefined;
  }
}

/** The prebuilt CPU kernel libraries (`libggml-cpu-<variant>.so`, one per x64 instruction-set level). */
export function prebuiltCpuKernels(folder: string | undefined = prebuiltBinariesFolder()): string[] {
  if (folder === undefined) return [];
  return readdirSync(folder)
    .filter((name) => /^libggml-cpu-[\w-]+\.so$/.test(name))
    .map((name) => path.join(folder, name));
}

/**
 * CMake options for a CPU build where node-llama-cpp ships prebuilt CPU kernels (Linux x64): the CPU backend
 * as a loadable library, so that the prebuilt kernel variants can be put beside the binding and the best one
 * for this CPU is loaded, as with the prebuilt binary. The same kernels then run in both binaries (AMX included
 * where the CPU has it), and the build compiles none of its own with `-march=native` (whose code died with
 * SIGILL on a virtual machine here). No OpenMP: the patched binding gives each context a persistent thread pool.
 */
export function cpuCmakeOptions(kernels: readonly string[] = prebuiltCpuKernels()): Record<string, string> {
  if (kernels.length === 0) return {};
  return { GGML_NATIVE: 'OFF', GGML_BACKEND_DL: 'ON', GGML_CPU_ALL_VARIANTS: 'OFF', GGML_OPENMP: 'OFF' };
}

/** Puts the prebuilt kernel variants beside a local build's binding, in place of the one it compiled. */
function installPrebuiltKernels(build: LocalBuild, kernels: readonly string[]): void {
  const release = path.join(nodeLlamaCppFolder(), 'llama', 'localBuilds', build.folderName, 'Release');
  for (const kernel of kernels) copyFileSync(kernel, path.join(release, path.basename(kernel)));
  rmSync(path.join(release, 'libggml-cpu.so'), { force: true });
}

/** The tools a build needs that are not on PATH. */
export function missingBuildTools(): string[] {
  const has = (command: string, args: string[]) => spawnSync(command, args, { stdio: 'ignore' }).status === 0;
  const missing: string[] = [];
  if (!has('cmake', ['--version'])) missing.push('cmake');
  if (!has('c++', ['--version']) && !has('g++', ['--version']) && !has('clang++', ['--version'])) missing.push('a C++ compiler');
  if (!has('git', ['--version'])) missing.push('git');
  return missing;
}

function run(args: string[], env: NodeJS.ProcessEnv, onOutput?: (chunk: string) => void): Promise<void> {
  const cli = path.join(nodeLlamaCppFolder(), 'dist', 'cli', 'cli.js');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const take = (data: Buffer) => {
      const text = data.toString();
      tail = (tail + text).slice(-4000);
      onOutput?.(text);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new LlmuxError('internal_error', `node-llama-cpp ${args.slice(0, 2).join(' ')} exited with ${code}:\n${tail.trim()}`));
    });
  });
}

/**
 * Compiles node-llama-cpp's binding on this machine from the llama.cpp source that its package bundles
 * (offline), with llmux's source patch applied; llmux then opens it instead of the prebuilt binary (see
 * chooseLlamaBinary). Takes minutes. Resolves to the build that llmux will use.
 */
export async function buildLocalBinding(options: LocalBuildOptions = {}): Promise<LocalBuild> {
  const missing = missingBuildTools();
  if (missing.length > 0) {
    throw new LlmuxError(
      'invalid_request',
      `building the binding needs ${missing.join(', ')} on PATH (Debian/Ubuntu: apt-get install cmake g++ git; macOS: xcode-select --install and brew install cmake)`,
    );
  }
  const gpu = options.gpu ?? false;
  const env: NodeJS.ProcessEnv = { ...process.env };
  const kernels = gpu === false ? prebuiltCpuKernels() : [];
  for (const [key, value] of Object.entries(cpuCmakeOptions(kernels))) env[`NODE_LLAMA_CPP_CMAKE_OPTION_${key}`] ??= value;
  const gpuArg = gpu === false ? 'false' : gpu;
  if (!existsSync(path.join(nodeLlamaCppFolder(), 'llama', 'llama.cpp'))) {
    await run(['source', 'download', '--gpu', gpuArg, '--skipBuild', '--noUsageExample'], env, options.onOutput);
  }
  await run(['source', 'build', '--gpu', gpuArg, '--noUsageExample'], env, options.onOutput);
  const build = findLocalBuild();
  if (!build) throw new LlmuxError('internal_error', 'the build finished but left no binding behind (node-llama-cpp/llama/lastBuild.json)');
  if (kernels.length > 0) installPrebuiltKernels(build, kernels);
  return build;
}
