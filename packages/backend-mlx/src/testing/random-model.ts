import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mx, type MxArray } from '../engine/mlx.js';
import type { SupportedModelType } from '../engine/model-config.js';

/** The shape and storage of a random-weight model folder. */
export interface RandomModelSpec {
  modelType: SupportedModelType;
  hiddenSize: number;
  layers: number;
  heads: number;
  kvHeads: number;
  intermediateSize: number;
  vocabSize: number;
  /** Same seed, same float weights (before any quantization). */
  seed: number;
  tieWordEmbeddings?: boolean;
  ropeScaling?: Record<string, unknown>;
  /**
   * Group-quantize every linear layer and the embedding, as mlx-lm does; `layers` gives some
   * layers (by path, e.g. `lm_head`) their own bits and group size, as mixed-precision models do.
   */
  quantize?: {
    bits: 4 | 8;
    groupSize: 32 | 64;
    scalesDtype?: 'float16' | 'bfloat16' | 'float32';
    layers?: Record<string, { bits: 4 | 8; groupSize: 32 | 64 }>;
  };
  /** Split the weights over this many safetensors files with an index (default 1). */
  shards?: number;
  /** More config.json keys (e.g. SmolLM3's `no_rope_layers`). */
  extraConfig?: Record<string, unknown>;
  /** A folder whose tokenizer.json and tokenizer_config.json are copied. */
  tokenizerFrom?: string;
}

const DTYPES = { float16: () => mx.float16, bfloat16: () => mx.bfloat16, float32: () => mx.float32 };

/**
 * Writes an MLX model folder with random weights. Speed and memory depend on a model's shape,
 * not its weight values, so benchmarks and tests can use real shapes without downloading.
 */
export async function writeRandomModel(folder: string, spec: RandomModelSpec): Promise<void> {
  await mkdir(folder, { recursive: true });
  mx.random.seed(spec.seed);
  const headDim = spec.hiddenSize / spec.heads;
  const tensors: Record<string, MxArray> = {};
  const linearNames: string[] = [];
  const normal = (shape: number[]) => mx.multiply(mx.random.normal(shape, mx.float32), mx.array(0.05, mx.float32));
  const addLinear = (name: string, out: number, inp: number, bias = false) => {
    tensors[`${name}.weight`] = normal([out, inp]);
    if (bias) tensors[`${name}.bias`] = normal([out]);
    linearNames.push(name);
  };
  const addNorm = (name: string, size: number) => {
    tensors[name] = mx.add(mx.ones([size], mx.float32), normal([size]));
  };
  tensors['model.embed_tokens.weight'] = normal([spec.vocabSize, spec.hiddenSize]);
  linearNames.push('model.embed_tokens');
  const qkvBias = spec.modelType === 'qwen2';
  for (let layer = 0; layer < spec.layers; layer++) {
    const p = `model.layers.${layer}`;
    addLinear(`${p}.self_attn.q_proj`, spec.heads * headDim, spec.hiddenSize, qkvBias);
    addLinear(`${p}.self_attn.k_proj`, spec.kvHeads * headDim, spec.hiddenSize, qkvBias);
    addLinear(`${p}.self_attn.v_proj`, spec.kvHeads * headDim, spec.hiddenSize, qkvBias);
    addLinear(`${p}.self_attn.o_proj`, spec.hiddenSize, spec.heads * headDim);
    addLinear(`${p}.mlp.gate_proj`, spec.intermediateSize, spec.hiddenSize);
    addLinear(`${p}.mlp.up_proj`, spec.intermediateSize, spec.hiddenSize);
    addLinear(`${p}.mlp.down_proj`, spec.hiddenSize, spec.intermediateSize);
    addNorm(`${p}.input_layernorm.weight`, spec.hiddenSize);
    addNorm(`${p}.post_attention_layernorm.weight`, spec.hiddenSize);
    if (spec.modelType === 'qwen3') {
      addNorm(`${p}.self_attn.q_norm.weight`, headDim);
      addNorm(`${p}.self_attn.k_norm.weight`, headDim);
    }
  }
  addNorm('model.norm.weight', spec.hiddenSize);
  if (!spec.tieWordEmbeddings) addLinear('lm_head', spec.vocabSize, spec.hiddenSize);

  if (spec.quantize) {
    const { bits, groupSize } = spec.quantize;
    const scalesDtype = DTYPES[spec.quantize.scalesDtype ?? 'float16']();
    for (const name of linearNames) {
      const own = spec.quantize.layers?.[name];
      const [packed, scales, biases] = mx.quantize(tensors[`${name}.weight`]!, own?.groupSize ?? groupSize, own?.bits ?? bits) as unknown as MxArray[];
      tensors[`${name}.weight`] = packed!;
      tensors[`${name}.scales`] = scales!.astype(scalesDtype);
      tensors[`${name}.biases`] = biases!.astype(scalesDtype);
    }
  }
  mx.eval(...Object.values(tensors));

  const config: Record<string, unknown> = {
    model_type: spec.modelType,
    hidden_size: spec.hiddenSize,
    num_hidden_layers: spec.layers,
    intermediate_size: spec.intermediateSize,
    num_attention_heads: spec.heads,
    num_key_value_heads: spec.kvHeads,
    head_dim: headDim,
    vocab_size: spec.vocabSize,
    rms_norm_eps: 1e-6,
    rope_theta: 10000,
    max_position_embeddings: 2048,
    tie_word_embeddings: spec.tieWordEmbeddings === true,
    ...(spec.ropeScaling ? { rope_scaling: spec.ropeScaling } : {}),
    ...(spec.quantize
      ? {
          quantization: {
            group_size: spec.quantize.groupSize,
            bits: spec.quantize.bits,
            ...Object.fromEntries(Object.entries(spec.quantize.layers ?? {}).map(([name, own]) => [name, { group_size: own.groupSize, bits: own.bits }])),
          },
        }
      : {}),
    ...spec.extraConfig,
  };
  await writeFile(join(folder, 'config.json'), JSON.stringify(config, null, 2));

  const names = Object.keys(tensors).sort();
  const shards = Math.max(1, spec.shards ?? 1);
  if (shards === 1) {
    mx.saveSafetensors(join(folder, 'model.safetensors'), tensors);
  } else {
    const weightMap: Record<string, string> = {};
    for (let shard = 0; shard < shards; shard++) {
      const file = `model-${String(shard + 1).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}.safetensors`;
      const part: Record<string, MxArray> = {};
      names.filter((_, index) => index % shards === shard).forEach((name) => {
        part[name] = tensors[name]!;
        weightMap[name] = file;
      });
      mx.saveSafetensors(join(folder, file), part);
    }
    await writeFile(join(folder, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: weightMap }, null, 2));
  }
  if (spec.tokenizerFrom) {
    await copyFile(join(spec.tokenizerFrom, 'tokenizer.json'), join(folder, 'tokenizer.json'));
    await copyFile(join(spec.tokenizerFrom, 'tokenizer_config.json'), join(folder, 'tokenizer_config.json'));
  }
}
