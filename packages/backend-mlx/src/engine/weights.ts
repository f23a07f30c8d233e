import { mx, type MxArray } from './mlx.js';
import { weightFiles } from './weight-files.js';

/**
 * Loads every tensor of the folder. Floating tensors become float32 because the CPU matmul and
 * attention kernels accept nothing else (fp16/bf16 abort the process there); packed quantized
 * weights (uint32) stay as they are.
 */
export async function loadWeights(folder: string): Promise<Map<string, MxArray>> {
  const weights = new Map<string, MxArray>();
  for (const file of await weightFiles(folder)) {
    const tensors = mx.load(file) as unknown as Record<string, MxArray>;
    for (const [name, tensor] of Object.entries(tensors)) {
      const floating = mx.issubdtype(tensor.dtype, mx.floating);
      const value = floating && tensor.dtype !== mx.float32 ? tensor.astype(mx.float32) : tensor;
      mx.eval(value);
      weights.set(name, value);
    }
  }
  return weights;
}
