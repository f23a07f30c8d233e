import { UnsupportedFeatureError } from '@llmux/core';

/** The transformer families this backend runs; all are Llama-shaped decoders. */
export const SUPPORTED_MODEL_TYPES = ['llama', 'mistral', 'qwen2', 'qwen3', 'smollm3'] as const;

export type SupportedModelType = (typeof SUPPORTED_MODEL_TYPES)[number];

/** Llama 3.x frequency-dependent rope scaling (`rope_type: "llama3"`). */
export interface Llama3RopeScaling {
  type: 'llama3';
  factor: number;
  lowFreqFactor: number;
  highFreqFactor: number;
  originalMaxPositionEmbeddings: number;
}

export type RopeScaling = { type: 'none' } | { type: 'linear'; factor: number } | Llama3RopeScaling;

/** Group quantization as mlx-lm writes it in config.json. */
export interface QuantizationConfig {
  groupSize: number;
  bits: number;
  /** Per-layer settings of mixed-precision models (mlx-lm writes them under the layer's path). */
  layers?: Record<string, { groupSize: number; bits: number }>;
}

/** What the engine needs from a model folder's config.json, normalized across families. */
export interface ModelConfig {
  modelType: SupportedModelType;
  hiddenSize: number;
  layers: number;
  intermediateSize: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  vocabSize: number;
  rmsNormEps: number;
  ropeTheta: number;
  ropeTraditional: boolean;
  ropeScaling: RopeScaling;
  maxPositionEmbeddings: number;
  tieWordEmbeddings: boolean;
  /** Qwen2 puts biases on q/k/v; Llama configs may ask for them with `attention_bias`. */
  attentionBias: boolean;
  mlpBias: boolean;
  /** Qwen3 normalizes queries and keys per head before rope. */
  qkNorm: boolean;
  /** Per layer, whether it applies rope (SmolLM3 leaves it out of every fourth layer: `no_rope_layers`). */
  ropeLayers: boolean[];
  quantization: QuantizationConfig | undefined;
  eosTokenIds: number[];
  bosTokenId: number | undefined;
}

type Json = Record<string, unknown>;

function num(config: Json, key: string, fallback?: number): number {
  const value = config[key];
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (fallback !== undefined) return fallback;
  throw new UnsupportedFeatureError(`config.json lacks the number '${key}'.`);
}

function ids(value: unknown): number[] {
  if (typeof value === 'number') return [value];
  if (Array.isArray(value)) return value.filter((item): item is number => typeof item === 'number');
  return [];
}

function parseRopeScaling(raw: unknown): RopeScaling {
  if (raw === null || raw === undefined || typeof raw !== 'object') return { type: 'none' };
  const scaling = raw as Json;
  const type = String(scaling['rope_type'] ?? scaling['type'] ?? 'default');
  if (type === 'default') return { type: 'none' };
  if (type === 'linear') return { type: 'linear', factor: num(scaling, 'factor') };
  if (type === 'llama3') {
    return {
      type: 'llama3',
      factor: num(scaling, 'factor'),
      lowFreqFactor: num(scaling, 'low_freq_factor', 1),
      highFreqFactor: num(scaling, 'high_freq_factor', 4),
      originalMaxPositionEmbeddings: num(scaling, 'original_max_position_embeddings', 8192),
    };
  }
  throw new UnsupportedFeatureError(`rope_scaling type '${type}' is not supported; supported: default, linear, llama3.`);
}

function parseQuantization(config: Json): QuantizationConfig | undefined {
  const raw = (config['quantization'] ?? config['quantization_config']) as Json | undefined;
  if (!raw || typeof raw !== 'object') return undefined;
  const layers: Record<string, { groupSize: number; bits: number }> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (value && typeof value === 'object') {
      const entry = value as Json;
      layers[key] = { groupSize: num(entry, 'group_size', num(raw, 'group_size', 64)), bits: num(entry, 'bits', num(raw, 'bits', 4)) };
    }
  }
  return { groupSize: num(raw, 'group_size', 64), bits: num(raw, 'bits', 4), layers };
}

function ropeLayers(config: Json): boolean[] {
  const layers = num(config, 'num_hidden_layers');
  const flags = config['no_rope_layers'];
  // SmolLM3's list holds 1 for layers that use rope and 0 for those that do not.
  if (Array.isArray(flags)) return Array.from({ length: layers }, (_, index) => flags[index] !== 0);
  return new Array<boolean>(layers).fill(true);
}

/** Reads a config.json object; an unknown `model_type` is an error naming the supported ones. */
export function parseModelConfig(config: Json): ModelConfig {
  const modelType = String(config['model_type'] ?? '');
  if (!(SUPPORTED_MODEL_TYPES as readonly string[]).includes(modelType)) {
    throw new UnsupportedFeatureError(
      `MLX model_type '${modelType || '(missing)'}' is not supported; supported: ${SUPPORTED_MODEL_TYPES.join(', ')}.`,
    );
  }
  const hiddenSize = num(config, 'hidden_size');
  const heads = num(config, 'num_attention_heads');
  return {
    modelType: modelType as SupportedModelType,
    hiddenSize,
    layers: num(config, 'num_hidden_layers'),
    intermediateSize: num(config, 'intermediate_size'),
    heads,
    kvHeads: num(config, 'num_key_value_heads', heads),
    headDim: num(config, 'head_dim', hiddenSize / heads),
    vocabSize: num(config, 'vocab_size'),
    rmsNormEps: num(config, 'rms_norm_eps', 1e-6),
    ropeTheta: num(config, 'rope_theta', 10000),
    ropeTraditional: config['rope_traditional'] === true,
    ropeScaling: parseRopeScaling(config['rope_scaling']),
    maxPositionEmbeddings: num(config, 'max_position_embeddings', 4096),
    tieWordEmbeddings: config['tie_word_embeddings'] === true,
    attentionBias: modelType === 'qwen2' || config['attention_bias'] === true,
    mlpBias: config['mlp_bias'] === true,
    qkNorm: modelType === 'qwen3',
    ropeLayers: ropeLayers(config),
    quantization: parseQuantization(config),
    eosTokenIds: ids(config['eos_token_id']),
    bosTokenId: typeof config['bos_token_id'] === 'number' ? config['bos_token_id'] : undefined,
  };
}
