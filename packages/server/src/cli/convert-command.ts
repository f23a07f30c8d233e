import path from 'node:path';
import { InvalidRequestError } from '@llmux/core';
import { convertGgufToMlx } from '@llmux/backend-mlx';

export interface ConvertCommandOptions {
  quantize?: string;
  groupSize?: string;
  force?: boolean;
}

/** `llmux convert <gguf> <folder>`: writes an MLX model folder from a GGUF file. */
export async function convertCommand(gguf: string, folder: string, options: ConvertCommandOptions): Promise<void> {
  const quantize = options.quantize === undefined ? undefined : Number(options.quantize);
  if (quantize !== undefined && quantize !== 4 && quantize !== 8) {
    throw new InvalidRequestError(`--quantize takes 4 or 8, not '${options.quantize}'.`);
  }
  const groupSize = options.groupSize === undefined ? undefined : Number(options.groupSize);
  if (groupSize !== undefined && groupSize !== 32 && groupSize !== 64) {
    throw new InvalidRequestError(`--group-size takes 32 or 64, not '${options.groupSize}'.`);
  }
  const started = Date.now();
  const result = await convertGgufToMlx(path.resolve(gguf), path.resolve(folder), {
    ...(quantize ? { quantize } : {}),
    ...(groupSize ? { groupSize } : {}),
    overwrite: options.force === true,
    onProgress: (message) => process.stderr.write(`llmux convert: ${message}\n`),
  });
  process.stdout.write(
    `Wrote ${result.modelType} model to ${result.folder} (${result.tensors} tensors` +
      `${quantize ? `, ${result.quantizedTensors} quantized to ${quantize} bits` : ''}) in ${Date.now() - started} ms.\n`,
  );
}
