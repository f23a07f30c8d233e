import { GgmlType, type GgufFileInfo } from 'node-llama-cpp';
import { ModelLoadError } from '@llmux/core';

/** KV-cache element types a model's config may name. */
export type KvCacheType = 'f16' | 'q8_0' | 'q4_0';

const ggmlTypes: Record<KvCacheType, GgmlType> = { f16: GgmlType.F16, q8_0: GgmlType.Q8_0, q4_0: GgmlType.Q4_0 };
/** Values per quantization block: a cache row must be a whole number of blocks. */
const blockSize: Record<KvCacheType, number> = { f16: 1, q8_0: 32, q4_0: 32 };

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

function headDimensions(info: GgufFileInfo): { key: number; value: number } {
  const metadata = info.metadata as unknown as Record<string, Record<string, unknown> | undefined>;
  const architecture = String(metadata.general?.architecture ?? '');
  const llm = (metadata[architecture] ?? {}) as { embedding_length?: number; attention?: { head_count?: number; key_length?: number; value_length?: number } };
  const fallback = llm.embedding_length && llm.attention?.head_count ? llm.embedding_length / llm.attention.head_count : 0;
  return { key: llm.attention?.key_length ?? fallback, value: llm.attention?.value_length ?? fallback };
}
