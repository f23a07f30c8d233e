import { InvalidRequestError } from '@llmux/core';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readTensorAsFloat32, unpermuteRopeRows, type GgufTensorRef } from './gguf-tensors.js';
import { writeSafetensors, type F32Tensor } from './safetensors-writer.js';
import { tokenizerJsonFromGguf, type GgufVocabulary } from './tokenizer-from-gguf.js';

/** GGUF architectures the converter maps onto MLX model types (same tensor layout, Llama-shaped). */
const ARCHITECTURES: Record<string, string> = { llama: 'llama', qwen2: 'qwen2', qwen3: 'qwen3' };

export interface ConvertOptions {
  /** Group-quantize the linear layers and the embedding to this many bits. */
  quantize?: 4 | 8;
  /**
   * Quantization group size (default 64). Layers whose input width it does not divide, or that
   * are narrower than MLX quantizes (128 for 8 bits, 256 for 4 bits), stay float.
   */
  groupSize?: 32 | 64;
  /** Replace a non-empty output folder. */
  overwrite?: boolean;
  onProgress?: (message: string) => void;
}

export interface ConvertResult {
  folder: string;
  modelType: string;
  tensors: number;
  quantizedTensors: number;
}

const LAYER_NAMES: Record<string, string> = {
  attn_q: 'self_attn.q_proj',
  attn_k: 'self_attn.k_proj',
  attn_v: 'self_attn.v_proj',
  attn_output: 'self_attn.o_proj',
  attn_q_norm: 'self_attn.q_norm',
  attn_k_norm: 'self_attn.k_norm',
  ffn_gate: 'mlp.gate_proj',
  ffn_up: 'mlp.up_proj',
  ffn_down: 'mlp.down_proj',
  attn_norm: 'input_layernorm',
  ffn_norm: 'post_attention_layernorm',
};

/** The Hugging Face/MLX name of a GGUF tensor. */
function hfName(name: string): string {
  if (name === 'token_embd.weight') return 'model.embed_tokens.weight';
  if (name === 'output_norm.weight') return 'model.norm.weight';
  if (name === 'output.weight') return 'lm_head.weight';
  const match = /^blk\.(\d+)\.([a-z_]+)\.(weight|bias)$/.exec(name);
  const mapped = match ? LAYER_NAMES[match[2]!] : undefined;
  if (!match || !mapped) throw new InvalidRequestError(`The converter does not know the GGUF tensor '${name}'.`);
  return `model.layers.${match[1]}.${mapped}.${match[3]}`;
}

type Metadata = Record<string, unknown>;

function get(metadata: Metadata, path: string): unknown {
  return path.split('.').reduce<unknown>((value, key) => (value && typeof value === 'object' ? (value as Metadata)[key] : undefined), metadata);
}

function num(metadata: Metadata, path: string): number | undefined {
  const value = get(metadata, path);
  return typeof value === 'number' ? value : typeof value === 'bigint' ? Number(value) : undefined;
}

/**
 * Converts a GGUF (F32, F16, BF16 or Q8_0 tensors; Llama, Qwen2 or Qwen3) into an MLX model folder:
 * float32 `model.safetensors` (or group-quantized with `quantize`), `config.json`, a
 * `tokenizer.json` built from the GGUF's vocabulary and `tokenizer_config.json` with its chat template.
 */
export async function convertGgufToMlx(ggufPath: string, folder: string, options: ConvertOptions = {}): Promise<ConvertResult> {
  const progress = options.onProgress ?? (() => {});
  const { readGgufFileInfo } = await import('node-llama-cpp');
  const info = await readGgufFileInfo(ggufPath, { ignoreKeys: [] }).catch((error: unknown) => {
    throw new InvalidRequestError(`Cannot read ${ggufPath} as a GGUF file: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  });
  const metadata = info.metadata as unknown as Metadata;
  const architecture = String(get(metadata, 'general.architecture'));
  const modelType = ARCHITECTURES[architecture];
  if (!modelType) {
    throw new InvalidRequestError(`GGUF architecture '${architecture}' cannot be converted; supported: ${Object.keys(ARCHITECTURES).join(', ')}.`);
  }
  if (existsSync(folder) && (await readdir(folder)).length > 0) {
    if (!options.overwrite) throw new InvalidRequestError(`${folder} is not empty; pass --force to replace it.`);
    await rm(folder, { recursive: true, force: true });
  }
  await mkdir(folder, { recursive: true });

  const arch = (key: string) => num(metadata, `${architecture}.${key}`);
  const hiddenSize = arch('embedding_length')!;
  const heads = arch('attention.head_count')!;
  const kvHeads = arch('attention.head_count_kv') ?? heads;
  const vocabulary: GgufVocabulary = {
    model: String(get(metadata, 'tokenizer.ggml.model')),
    pre: get(metadata, 'tokenizer.ggml.pre') as string | undefined,
    tokens: get(metadata, 'tokenizer.ggml.tokens') as string[],
    scores: get(metadata, 'tokenizer.ggml.scores') as number[] | undefined,
    tokenTypes: get(metadata, 'tokenizer.ggml.token_type') as number[] | undefined,
    merges: get(metadata, 'tokenizer.ggml.merges') as string[] | undefined,
    bosTokenId: num(metadata, 'tokenizer.ggml.bos_token_id'),
    eosTokenId: num(metadata, 'tokenizer.ggml.eos_token_id'),
    eotTokenId: num(metadata, 'tokenizer.ggml.eot_token_id'),
    unknownTokenId: num(metadata, 'tokenizer.ggml.unknown_token_id'),
    addBosToken: get(metadata, 'tokenizer.ggml.add_bos_token') as boolean | undefined,
  };
  const tensorsInfo = (info.fullTensorInfo ?? info.tensorInfo ?? []) as GgufTensorRef[];
  const tied = !tensorsInfo.some((tensor) => tensor.name === 'output.weight');

  const tensors: F32Tensor[] = [];
  for (const tensor of tensorsInfo) {
    if (tensor.name === 'rope_freqs.weight') continue;
    const shape = [...tensor.dimensions].reverse().map(Number);
    let data = await readTensorAsFloat32(ggufPath, tensor);
    // Only llama.cpp's Llama conversion permutes q/k for its pairwise rope.
    if (architecture === 'llama' && /\.attn_(q|k)\.weight$/.test(tensor.name)) {
      const groups = tensor.name.endsWith('attn_q.weight') ? heads : kvHeads;
      data = unpermuteRopeRows(data, groups, shape[0]!, shape[1] ?? 1);
    }
    tensors.push({ name: hfName(tensor.name), shape, data });
  }
  progress(`read ${tensors.length} tensors`);

  const eos = [...new Set([vocabulary.eosTokenId, vocabulary.eotTokenId].filter((id): id is number => id !== undefined))];
  const ropeScale = arch('rope.scaling.factor');
  const config: Metadata = {
    model_type: modelType,
    architectures: [{ llama: 'LlamaForCausalLM', qwen2: 'Qwen2ForCausalLM', qwen3: 'Qwen3ForCausalLM' }[modelType]],
    hidden_size: hiddenSize,
    num_hidden_layers: arch('block_count'),
    intermediate_size: arch('feed_forward_length'),
    num_attention_heads: heads,
    num_key_value_heads: kvHeads,
    head_dim: arch('attention.key_length') ?? hiddenSize / heads,
    rms_norm_eps: arch('attention.layer_norm_rms_epsilon') ?? 1e-5,
    rope_theta: arch('rope.freq_base') ?? 10000,
    max_position_embeddings: arch('context_length') ?? 2048,
    vocab_size: vocabulary.tokens.length,
    tie_word_embeddings: tied,
    bos_token_id: vocabulary.bosTokenId,
    eos_token_id: eos.length === 1 ? eos[0] : eos,
    ...(ropeScale && get(metadata, `${architecture}.rope.scaling.type`) === 'linear' ? { rope_scaling: { type: 'linear', factor: ropeScale } } : {}),
  };

  const tokenizerConfig: Metadata = {
    add_bos_token: vocabulary.model === 'llama' ? (vocabulary.addBosToken ?? true) : (vocabulary.addBosToken ?? false),
    bos_token: vocabulary.bosTokenId !== undefined ? vocabulary.tokens[vocabulary.bosTokenId] : null,
    eos_token: vocabulary.eotTokenId !== undefined ? vocabulary.tokens[vocabulary.eotTokenId] : vocabulary.eosTokenId !== undefined ? vocabulary.tokens[vocabulary.eosTokenId] : null,
    unk_token: vocabulary.unknownTokenId !== undefined ? vocabulary.tokens[vocabulary.unknownTokenId] : null,
    model_max_length: config['max_position_embeddings'],
    tokenizer_class: 'PreTrainedTokenizerFast',
    clean_up_tokenization_spaces: false,
  };
  const template = get(metadata, 'tokenizer.chat_template');
  if (typeof template === 'string') tokenizerConfig['chat_template'] = template;

  await writeFile(join(folder, 'tokenizer.json'), JSON.stringify(tokenizerJsonFromGguf(vocabulary)));
  await writeFile(join(folder, 'tokenizer_config.json'), JSON.stringify(tokenizerConfig, null, 2));

  const weightsPath = join(folder, 'model.safetensors');
  let quantizedTensors = 0;
  if (!options.quantize) {
    await writeSafetensors(weightsPath, tensors, { format: 'mlx' });
  } else {
    const groupSize = options.groupSize ?? 64;
    const floatPath = join(folder, 'model.f32.safetensors');
    await writeSafetensors(floatPath, tensors, { format: 'mlx' });
    quantizedTensors = await quantizeSafetensors(floatPath, weightsPath, options.quantize, groupSize);
    await rm(floatPath);
    config['quantization'] = { group_size: groupSize, bits: options.quantize };
    progress(`quantized ${quantizedTensors} tensors to ${options.quantize} bits`);
  }
  await writeFile(join(folder, 'config.json'), JSON.stringify(config, null, 2));
  return { folder, modelType, tensors: tensors.length, quantizedTensors };
}

/**
 * Group-quantizes the 2-D weights (linear layers, embedding) whose input width the group size
 * divides and that MLX's quantize accepts (at least 128 wide for 8 bits, 256 for 4 bits).
 */
async function quantizeSafetensors(from: string, to: string, bits: number, groupSize: number): Promise<number> {
  const { mx } = await import('../engine/mlx.js');
  const tensors = mx.load(from) as unknown as Record<string, import('../engine/mlx.js').MxArray>;
  const out: typeof tensors = {};
  let count = 0;
  for (const [name, tensor] of Object.entries(tensors)) {
    const width = tensor.shape[1] ?? 0;
    const quantizable =
      name.endsWith('.weight') && tensor.ndim === 2 && width % groupSize === 0 && width >= (bits === 8 ? 128 : 256) && !name.includes('norm');
    if (!quantizable) {
      out[name] = tensor;
      continue;
    }
    const [packed, scales, biases] = mx.quantize(tensor, groupSize, bits) as unknown as import('../engine/mlx.js').MxArray[];
    const prefix = name.slice(0, -'.weight'.length);
    out[name] = packed!;
    out[`${prefix}.scales`] = scales!.astype(mx.float16);
    out[`${prefix}.biases`] = biases!.astype(mx.float16);
    count++;
  }
  mx.saveSafetensors(to, out);
  return count;
}
