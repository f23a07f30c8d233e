import { disposeLlamaRuntimes, getLlamaRuntime } from '@llmux/backend-gguf';
import { fail, ok, warn, type CheckResult } from './check-result.js';

const message = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0]!;

/**
 * Loads the prebuilt llama.cpp binding (never builds one): first the CPU one, then with GPU
 * detection, to say which backend a model with `gpu: auto` would get (CUDA, Metal, Vulkan or none).
 */
export async function checkNativeBinding(): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  try {
    try {
      const llama = await getLlamaRuntime(false);
      results.push(
        llama.buildType === 'localBuild'
          ? ok('binding', 'node-llama-cpp CPU binding loads: built on this machine (llmux engine build)')
          : warn('binding', 'node-llama-cpp CPU binding loads: prebuilt (no OpenMP; one native call more per token)', "run 'llmux engine build' once (offline, minutes; needs cmake, g++ and git) for faster CPU generation, most of all with threads > 1"),
      );
    } catch (error) {
      results.push(fail('binding', `the CPU binding does not load: ${message(error)}`, "reinstall with 'pnpm install' (or 'npm install') so node-llama-cpp fetches its prebuilt binary for this platform"));
      return results;
    }
    try {
      const llama = await getLlamaRuntime('auto');
      results.push(
        llama.gpu
          ? ok('gpu', `${llama.gpu.toUpperCase()} binding loads (gpu: auto uses it)`)
          : ok('gpu', 'no GPU binding for this machine: models run on the CPU'),
      );
    } catch (error) {
      results.push(warn('gpu', `GPU detection failed: ${message(error)}`, 'set gpu: false in modelDefaults to use the CPU, or install the GPU drivers (CUDA toolkit, Vulkan)'));
    }
    return results;
  } finally {
    await disposeLlamaRuntimes();
  }
}
