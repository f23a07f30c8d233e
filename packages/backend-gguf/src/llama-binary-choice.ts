import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GpuSetting } from './llama-runtime.js';

/** A binding compiled on this machine (`npx node-llama-cpp source build`), as node-llama-cpp's `lastBuild.json` names it. */
export interface LocalBuild {
  /** Folder under `node-llama-cpp/llama/localBuilds`, e.g. `linux-x64-cuda` or `linux-x64-cuda-<hash>`. */
  folderName: string;
}

/** How to open the llama.cpp binding: the last local build, or node-llama-cpp's own search by GPU type. */
export type LlamaBinaryChoice =
  | { kind: 'localBuild'; folderName: string }
  | { kind: 'search'; gpu: GpuSetting };

const gpuTypes = ['cuda', 'vulkan', 'metal'] as const;

/** The GPU type a build folder was made for (`linux-x64-cuda-1a2b` -> `cuda`), or `false` for a CPU build. */
export function gpuOfBuildFolder(folderName: string): Exclude<GpuSetting, 'auto'> {
  const parts = folderName.split('-');
  return gpuTypes.find((type) => parts.includes(type)) ?? false;
}

/**
 * Picks the binding for a model's `gpu` setting. A local build wins when it was made for the same
 * GPU type (`auto` takes any local build: whoever compiled one did it for this machine), because it
 * is the only binary that carries source patches and custom CMake options; node-llama-cpp's search
 * (`build: 'never'`) only finds local builds made without custom options, so this finds the rest.
 * Otherwise node-llama-cpp searches prebuilt and option-matching local binaries, never compiling.
 */
export function chooseLlamaBinary(gpu: GpuSetting, localBuild: LocalBuild | undefined): LlamaBinaryChoice {
  if (localBuild && (gpu === 'auto' || gpuOfBuildFolder(localBuild.folderName) === gpu)) {
    return { kind: 'localBuild', folderName: localBuild.folderName };
  }
  return { kind: 'search', gpu };
}

/** node-llama-cpp's package folder (holding `dist/` and `llama/`). */
export function nodeLlamaCppFolder(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.resolve('node-llama-cpp'))), '..');
}

/** node-llama-cpp's `llama/` folder (beside its `dist/`). */
function llamaFolder(): string {
  return path.join(nodeLlamaCppFolder(), 'llama');
}

/** The last local build whose binary exists, or undefined when none was made (the usual install). */
export function findLocalBuild(folder: string = llamaFolder()): LocalBuild | undefined {
  let folderName: unknown;
  try {
    folderName = (JSON.parse(readFileSync(path.join(folder, 'lastBuild.json'), 'utf8')) as { folderName?: unknown }).folderName;
  } catch {
    return undefined;
  }
  if (typeof folderName !== 'string' || folderName.includes('/') || folderName.includes('\\')) return undefined;
  const binary = path.join(folder, 'localBuilds', folderName, 'Release', 'llama-addon.node');
  return existsSync(binary) ? { folderName } : undefined;
}
