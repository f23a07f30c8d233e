import type { Llama } from 'node-llama-cpp';
import { openLlamaRuntimes } from './llama-runtime.js';

/** One llama.cpp binding in use and the device memory it reports. */
export interface LlamaDeviceInfo {
  /** `cuda`, `vulkan`, `metal`, or `false` for the CPU binding. */
  gpu: 'cuda' | 'vulkan' | 'metal' | false;
  /** `localBuild` when compiled on this machine, else `prebuilt`. */
  binary: 'localBuild' | 'prebuilt';
  /** GPU names as the driver reports them; empty on CPU. */
  devices: string[];
  /** Device memory in bytes: total, used (by every process) and free; all 0 on CPU. */
  memory: { totalBytes: number; usedBytes: number; freeBytes: number };
}

/** Device and memory of one binding. */
export async function describeLlama(llama: Llama): Promise<LlamaDeviceInfo> {
  const gpu = llama.gpu;
  const [devices, vram] = gpu === false ? [[], { total: 0, used: 0, free: 0 }] : await Promise.all([llama.getGpuDeviceNames(), llama.getVramState()]);
  return { gpu, binary: llama.buildType, devices, memory: { totalBytes: vram.total, usedBytes: vram.used, freeBytes: vram.free } };
}

/** Every binding the process has opened so far (one per GPU setting in use); empty before the first model loads. */
export async function llamaDeviceInfo(): Promise<LlamaDeviceInfo[]> {
  const opened = await Promise.allSettled(openLlamaRuntimes());
  const llamas = opened.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  return Promise.all(llamas.map(describeLlama));
}
