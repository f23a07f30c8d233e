import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gguf, GGMLFileQuantizationType, GGMLQuantizationType, parseGGUFQuantLabel, type GGUFTensorInfo } from '@huggingface/gguf';

/** What a model's own files say about it. */
export interface ModelFacts {
  architecture?: string;
  quantization?: string;
  contextLength?: number;
}

/** Reads architecture, quantization and context length from a GGUF header (only the header is read). */
export async function readGgufFacts(file: string): Promise<ModelFacts> {
  const parsed = await gguf(file, { allowLocalFile: true });
  const metadata = parsed.metadata as Record<string, unknown>;
  const facts: ModelFacts = {};
  const architecture = metadata['general.architecture'];
  if (typeof architecture === 'string') {
    facts.architecture = architecture;
    const context = metadata[`${architecture}.context_length`];
    if (typeof context === 'number' || typeof context === 'bigint') facts.contextLength = Number(context);
  }
  const fileType = metadata['general.file_type'];
  const quantization =
    typeof fileType === 'number'
      ? (GGMLFileQuantizationType as Record<number, string>)[fileType]
      : (parseGGUFQuantLabel(path.basename(file)) ?? dominantTensorType(parsed.tensorInfos));
  if (quantization) facts.quantization = quantization;
  return facts;
}

/** Reads the same facts from an MLX / transformers folder's `config.json`. */
export async function readMlxFacts(folder: string): Promise<ModelFacts> {
  const config = JSON.parse(await readFile(path.join(folder, 'config.json'), 'utf8')) as Record<string, unknown>;
  const facts: ModelFacts = {};
  if (typeof config.model_type === 'string') facts.architecture = config.model_type;
  const context = config.max_position_embeddings ?? config.max_sequence_length ?? config.n_positions;
  if (typeof context === 'number') facts.contextLength = context;
  const quantization = config.quantization as { bits?: number } | undefined;
  if (quantization?.bits) facts.quantization = `${quantization.bits}bit`;
  else if (typeof config.torch_dtype === 'string') facts.quantization = config.torch_dtype;
  return facts;
}

/** Files without `general.file_type` (older converters): the element type most weights use. */
function dominantTensorType(tensors: readonly GGUFTensorInfo[]): string | undefined {
  const elements = new Map<number, number>();
  for (const tensor of tensors) {
    const count = tensor.shape.reduce((product, dim) => product * Number(dim), 1);
    elements.set(tensor.dtype, (elements.get(tensor.dtype) ?? 0) + count);
  }
  const [top] = [...elements].sort((a, b) => b[1] - a[1]);
  return top ? (GGMLQuantizationType as Record<number, string>)[top[0]] : undefined;
}
