import { open } from 'node:fs/promises';

/** A float32 tensor to write. */
export interface F32Tensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

/**
 * Writes a safetensors file (little-endian float32 tensors): an 8-byte header length, the JSON
 * header padded to 8 bytes, then the raw data in header order.
 */
export async function writeSafetensors(path: string, tensors: F32Tensor[], metadata: Record<string, string> = {}): Promise<void> {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const tensor of tensors) {
    const bytes = tensor.data.byteLength;
    header[tensor.name] = { dtype: 'F32', shape: tensor.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const jsonBytes = Buffer.from(json, 'utf8');
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(jsonBytes.length));
  const file = await open(path, 'w');
  try {
    await file.write(length);
    await file.write(jsonBytes);
    for (const tensor of tensors) {
      await file.write(new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength));
    }
  } finally {
    await file.close();
  }
}
