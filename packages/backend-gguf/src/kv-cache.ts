import { GgmlType, type GgufFileInfo } from 'node-llama-cpp';
import { ModelLoadError } from '@llmux/core';

/** KV-cache element types a model's config may name. */
export type KvCacheType = 'f16' | 'q8_0' | 'q4_0';

const ggmlTypes: Record<KvCacheType, GgmlType> = { f16: GgmlType.F16, q8_0: GgmlType.Q8_0, q4_0: GgmlType.Q4_0 };
/** Values per quantization block: a cache row must be a whole number of blocks. */
const blockSize: Record<KvCacheType, number> = { f16: 1, q8_0: 32, q4_0: 32 };
/** Bytes per cached value: q8_0 stores 32 int8 + an f16 scale, q4_0 32 nibbles + an f16 scale. */
const bytesPerValue: Record<KvCacheType, number> = { f16: 2, q8_0: 34 / 32, q4_0: 18 / 32 };

export interface KvCacheSettings {
  keyType: GgmlType;
  valueType: GgmlType;
  /** llama.cpp stores a quantized V cache only with flash attention. */
  flashAttention: boolean;
}

/**
 * The context settings for a KV-cache type. A quantized cache needs flash attention (llama.cpp
 * refuses a quantized V cache without it), so it turns it on unless config turned it off; and
 * each attention head must fill whole quantization blocks, or llama.cpp aborts the process.
 */
export function kvCacheSettings(kvCache: KvCacheType = 'f16', flashAttention: boolean | undefined, info: GgufFileInfo, modelId: string): KvCacheSettings {
  const quantized = kvCache !== 'f16';
  if (quantized && flashAttention === false) {
    throw new ModelLoadError(`Model '${modelId}': kvCache '${kvCache}' needs flash attention; remove 'flashAttention: false' or use kvCache 'f16'.`);
  }
  if (quantized) {
    const { key, value } = headDimensions(info);
    const block = blockSize[kvCache];
    if (key % block !== 0 || value % block !== 0) {
      throw new ModelLoadError(
        `Model '${modelId}': kvCache '${kvCache}' stores blocks of ${block} values, but this model's attention heads have ${key} (keys) and ${value} (values); use kvCache 'f16'.`,
      );
    }
  }
  return { keyType: ggmlTypes[kvCache], valueType: ggmlTypes[kvCache], flashAttention: flashAttention ?? quantized };
}

/**
 * Bytes that a quantized cache saves against f16 for `cells` cached tokens (0 for f16).
 * node-llama-cpp 3.22's estimator overstates quantized caches (q8_0 above f16), so memory
 * admission estimates with f16 and subtracts this.
 */
export function kvCacheSavings(kvCache: KvCacheType = 'f16', info: GgufFileInfo, cells: number): number {
  const { layers, keyValues } = cacheShape(info);
  return layers * cells * keyValues * (bytesPerValue.f16 - bytesPerValue[kvCache]);
}

interface LlmMetadata {
  block_count?: number;
  embedding_length?: number;
  attention?: { head_count?: number; head_count_kv?: number; key_length?: number; value_length?: number };
}

function llmMetadata(info: GgufFileInfo): LlmMetadata {
  const metadata = info.metadata as unknown as Record<string, Record<string, unknown> | undefined>;
  return (metadata[String(metadata.general?.architecture ?? '')] ?? {}) as LlmMetadata;
}

function headDimensions(info: GgufFileInfo): { key: number; value: number } {
  const llm = llmMetadata(info);
  const fallback = llm.embedding_length && llm.attention?.head_count ? llm.embedding_length / llm.attention.head_count : 0;
  return { key: llm.attention?.key_length ?? fallback, value: llm.attention?.value_length ?? fallback };
}

/** Layers, and values cached per token per layer (keys + values of the KV heads). */
function cacheShape(info: GgufFileInfo): { layers: number; keyValues: number } {
  const llm = llmMetadata(info);
  const { key, value } = headDimensions(info);
  const kvHeads = llm.attention?.head_count_kv ?? llm.attention?.head_count ?? 0;
  return { layers: llm.block_count ?? 0, keyValues: kvHeads * (key + value) };
}
