import { InvalidRequestError } from '@llmux/core';
import { open } from 'node:fs/promises';

/** ggml type ids this converter reads. */
const GGML_F32 = 0;
const GGML_F16 = 1;
const GGML_Q8_0 = 8;
const GGML_BF16 = 30;

export const SUPPORTED_GGML_TYPES = 'F32, F16, BF16, Q8_0';

/** A tensor as a GGUF describes it: ggml dimensions (fastest first) and where its data is. */
export interface GgufTensorRef {
  name: string;
  dimensions: readonly (number | bigint)[];
  ggmlType: number;
  fileOffset: number | bigint;
}

function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** The element count of a tensor. */
export function elementCount(tensor: GgufTensorRef): number {
  return tensor.dimensions.reduce<number>((product, dim) => product * Number(dim), 1);
}

/** Reads a tensor's data as float32, dequantizing Q8_0 (blocks of 32: an f16 scale and 32 int8). */
export async function readTensorAsFloat32(path: string, tensor: GgufTensorRef): Promise<Float32Array> {
  const count = elementCount(tensor);
  const byteLength =
    tensor.ggmlType === GGML_F32 ? count * 4
    : tensor.ggmlType === GGML_F16 || tensor.ggmlType === GGML_BF16 ? count * 2
    : tensor.ggmlType === GGML_Q8_0 ? (count / 32) * 34
    : -1;
  if (byteLength < 0) {
    throw new InvalidRequestError(`Tensor '${tensor.name}' has ggml type ${tensor.ggmlType}; the converter reads ${SUPPORTED_GGML_TYPES}.`);
  }
  const bytes = Buffer.alloc(byteLength);
  const file = await open(path, 'r');
  try {
    await file.read(bytes, 0, byteLength, Number(tensor.fileOffset));
  } finally {
    await file.close();
  }
  const out = new Float32Array(count);
  if (tensor.ggmlType === GGML_F32) {
    for (let i = 0; i < count; i++) out[i] = bytes.readFloatLE(i * 4);
  } else if (tensor.ggmlType === GGML_F16) {
    for (let i = 0; i < count; i++) out[i] = halfToFloat(bytes.readUInt16LE(i * 2));
  } else if (tensor.ggmlType === GGML_BF16) {
    const view = new DataView(new ArrayBuffer(4));
    for (let i = 0; i < count; i++) {
      view.setUint32(0, bytes.readUInt16LE(i * 2) << 16, true);
      out[i] = view.getFloat32(0, true);
    }
  } else {
    for (let block = 0; block < count / 32; block++) {
      const base = block * 34;
      const scale = halfToFloat(bytes.readUInt16LE(base));
      for (let i = 0; i < 32; i++) out[block * 32 + i] = scale * bytes.readInt8(base + 2 + i);
    }
  }
  return out;
}

/**
 * Undoes the row permutation llama.cpp applies to Llama q/k projections: GGUF's rope rotates
 * adjacent pairs, Hugging Face/MLX rotate the two halves of each head.
 */
export function unpermuteRopeRows(data: Float32Array, heads: number, rows: number, cols: number): Float32Array {
  const headDim = rows / heads;
  const half = headDim / 2;
  const out = new Float32Array(data.length);
  for (let head = 0; head < heads; head++) {
    for (let j = 0; j < half; j++) {
      for (let t = 0; t < 2; t++) {
        const from = (head * headDim + 2 * j + t) * cols;
        const to = (head * headDim + t * half + j) * cols;
        out.set(data.subarray(from, from + cols), to);
      }
    }
  }
  return out;
}
