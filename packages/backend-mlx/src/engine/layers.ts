import { mx, type MxArray } from './mlx.js';
import type { QuantizationConfig } from './model-config.js';

/** A linear layer: dense float32, or group-quantized (packed uint32 weight + scales + biases). */
export interface Linear {
  weight: MxArray;
  bias: MxArray | undefined;
  quantized: { scales: MxArray; biases: MxArray; groupSize: number; bits: number } | undefined;
}

export function takeLinear(weights: Map<string, MxArray>, prefix: string, quantization: QuantizationConfig | undefined, withBias = false): Linear {
  const weight = required(weights, `${prefix}.weight`);
  const scales = weights.get(`${prefix}.scales`);
  const biases = weights.get(`${prefix}.biases`);
  const bias = weights.get(`${prefix}.bias`);
  if (withBias && !bias) throw new Error(`Missing tensor '${prefix}.bias'.`);
  if (scales && biases) {
    if (!quantization) throw new Error(`'${prefix}' is quantized but config.json has no 'quantization' entry.`);
    const own = quantization.layers?.[prefix];
    return { weight, bias, quantized: { scales, biases, groupSize: own?.groupSize ?? quantization.groupSize, bits: own?.bits ?? quantization.bits } };
  }
  return { weight, bias, quantized: undefined };
}

export function required(weights: Map<string, MxArray>, name: string): MxArray {
  const value = weights.get(name);
  if (!value) throw new Error(`Missing tensor '${name}' in the model's safetensors.`);
  return value;
}

export function linear(x: MxArray, layer: Linear): MxArray {
  const q = layer.quantized;
  const y = q
    ? mx.quantizedMatmul(x, layer.weight, q.scales, q.biases, true, q.groupSize, q.bits)
    : mx.matmul(x, layer.weight.T);
  return layer.bias ? mx.add(y, layer.bias) : y;
}

/** Embedding rows for token ids; quantized tables are dequantized row by row. */
export function embed(table: Linear, ids: MxArray): MxArray {
  const q = table.quantized;
  if (!q) return mx.take(table.weight, ids, 0);
  return mx.dequantize(mx.take(table.weight, ids, 0), mx.take(q.scales, ids, 0), mx.take(q.biases, ids, 0), q.groupSize, q.bits);
}
