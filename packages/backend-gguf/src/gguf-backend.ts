import { stat } from 'node:fs/promises';
import { GgufInsights, readGgufFileInfo } from 'node-llama-cpp';
import {
  ModelLoadError,
  silentLogger,
  type Backend,
  type BackendLoadOptions,
  type LoadedModel,
  type Logger,
  type MemoryEstimate,
  type ModelLoadOptions,
  type ModelLocation,
} from '@llmux/core';
import { chatWrapperFor } from './chat-wrapper.js';
import { defaultThreads } from './default-threads.js';
import { GgufLoadedModel } from './gguf-loaded-model.js';
import { kvCacheSavings, kvCacheSettings } from './kv-cache.js';
import { getLlamaRuntime, type GpuSetting } from './llama-runtime.js';
import { PromptCache } from './prompt-cache.js';
import { createSequenceSlot } from './sequence-slot.js';
import { trimNativeMemory } from './native-memory.js';

export interface GgufBackendOptions {
  logger?: Logger;
  /** GPU use when a model's config says nothing; default `false` (CPU). */
  gpu?: GpuSetting;
  /** Context length when neither config nor request sets one: min(trained context, this). */
  maxDefaultContextSize?: number;
}

/** Room for sequence states a model keeps beyond its sequences when its config sets no `promptCache` (see PromptCache). */
export const DEFAULT_PROMPT_CACHE_BYTES = 1024 * 1024 * 1024;

/** Loads GGUF models with node-llama-cpp (llama.cpp), CPU by default. */
export class GgufBackend implements Backend {
  readonly specificationVersion = 'v1' as const;
  readonly id = 'gguf';
  readonly capabilities = { formats: ['gguf'] as const, platforms: [] as const };
  private readonly logger: Logger;

  constructor(private readonly options: GgufBackendOptions = {}) {
    this.logger = options.logger ?? silentLogger();
  }

  async canLoad(model: ModelLocation): Promise<boolean> {
    if (model.format !== 'gguf') return false;
    return stat(model.path).then((info) => info.isFile(), () => false);
  }

  async estimateMemory(model: ModelLocation, options: ModelLoadOptions): Promise<MemoryEstimate> {
    const llama = await getLlamaRuntime(options.gpu ?? this.options.gpu ?? false, this.logger);
    const info = await readGgufFileInfo(model.path);
    const insights = await GgufInsights.from(info, llama);
    const contextSize = this.contextSizeFor(insights.trainContextSize, options);
    const weights = insights.estimateModelResourceRequirements({ gpuLayers: 0 });
    const kv = kvCacheSettings(options.kvCache, options.flashAttention, info, model.id);
    const context = await insights.estimateContextResourceRequirements({
      contextSize,
      sequences: options.parallel,
      modelGpuLayers: 0,
      ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
      flashAttention: kv.flashAttention,
    });
    const saved = kvCacheSavings(options.kvCache, info, contextSize * options.parallel);
    return { cpuBytes: weights.cpuRam + Math.max(0, context.cpuRam - saved), gpuBytes: weights.gpuVram + context.gpuVram };
  }

  async load(location: ModelLocation, options: BackendLoadOptions): Promise<LoadedModel> {
    const llama = await getLlamaRuntime(options.gpu ?? this.options.gpu ?? false, this.logger);
    const fileSize = (await stat(location.path)).size;
    let model;
    try {
      model = await llama.loadModel({
        modelPath: location.path,
        ...(options.signal ? { loadSignal: options.signal } : {}),
        ...(options.onProgress ? { onLoadProgress: (fraction: number) => options.onProgress!({ fraction }) } : {}),
      });
    } catch (error) {
      throw new ModelLoadError(`Cannot load '${location.path}' as a GGUF model: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
    try {
      const contextSize = this.contextSizeFor(model.trainContextSize, options);
      // a binding built here (llmux engine build) carries the patch's persistent thread pool
      const threads = options.threads ?? defaultThreads(fileSize, llama.buildType === 'localBuild');
      const kv = kvCacheSettings(options.kvCache, options.flashAttention, model.fileInfo, location.id);
      const context = await model.createContext({
        contextSize,
        sequences: options.parallel,
        threads,
        // Explicit: node-llama-cpp's "auto" turns it on where supported, measured slower on CPU.
        flashAttention: kv.flashAttention,
        experimentalKvCacheKeyType: kv.keyType,
        experimentalKvCacheValueType: kv.valueType,
        ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
        ...(options.signal ? { createSignal: options.signal } : {}),
      });
      const chatWrapper = chatWrapperFor(model);
      const promptCacheBytes = options.promptCache ?? DEFAULT_PROMPT_CACHE_BYTES;
      const slots = Array.from({ length: options.parallel }, () => createSequenceSlot(context.getSequence(), chatWrapper));
      this.logger.info(
        {
          model: location.id,
          contextSize: context.contextSize,
          sequences: options.parallel,
          threads,
          flashAttention: kv.flashAttention,
          kvCache: options.kvCache ?? 'f16',
          chatTemplate: chatWrapper.wrapperName,
          promptCacheBytes,
        },
        'gguf model ready',
      );
      return new GgufLoadedModel({
        id: location.id,
        model,
        context,
        chatWrapper,
        slots,
        maxQueue: options.maxQueue,
        memory: { cpuBytes: model.size + context.stateSize, gpuBytes: 0 },
        logger: this.logger,
        ...(promptCacheBytes > 0 ? { promptCache: new PromptCache(promptCacheBytes, this.logger, location.id) } : {}),
      });
    } catch (error) {
      await model.dispose();
      throw new ModelLoadError(`Cannot create a context for '${location.id}': ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
  }

  async releaseIdleMemory(): Promise<void> {
    await trimNativeMemory();
  }

  async dispose(): Promise<void> {
    // The llama binding is shared by every GGUF model of the process and freed at exit.
  }

  private contextSizeFor(trainContextSize: number | undefined, options: ModelLoadOptions): number {
    if (options.contextSize !== undefined) return options.contextSize;
    return Math.min(trainContextSize ?? 4096, this.options.maxDefaultContextSize ?? 4096);
  }
}
