import type { Request, Response, NextFunction } from 'express';
import { llamaDeviceInfo } from '@llmux/backend-gguf';

/** The llama.cpp bindings in use, their GPUs and device memory, as the admin API shows them. */
export async function deviceBindings() {
  const bindings = await llamaDeviceInfo();
  return bindings.map((b) => ({
    gpu: b.gpu,
    binary: b.binary,
    devices: b.devices,
    memory: { total_bytes: b.memory.totalBytes, used_bytes: b.memory.usedBytes, free_bytes: b.memory.freeBytes },
  }));
}

/**
 * `GET /admin/device`: the llama.cpp bindings in use (CPU, CUDA, Vulkan, Metal), their GPUs and
 * device memory (total, used, free). Lists nothing until a GGUF model has been loaded.
 */
export function deviceHandler() {
  return (_req: Request, res: Response, next: NextFunction): void => {
    deviceBindings().then((bindings) => res.json({ bindings }), next);
  };
}
