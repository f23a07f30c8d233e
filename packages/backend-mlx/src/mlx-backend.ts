import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  LlmuxError,
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
import { EngineClient } from './engine-client.js';
import { parseModelConfig, type ModelConfig } from './engine/model-config.js';
import { weightFiles } from './engine/weight-files.js';
import { MlxLoadedModel } from './mlx-loaded-model.js';
import { ModelTokenizer } from './text/model-tokenizer.js';

/** The registry id of the MLX backend. */
export const MLX_BACKEND_ID = 'mlx';

export interface MlxBackendOptions {
  logger?: Logger;
  /** Context length when neither config nor request sets one: min(trained context, this). */
  maxDefaultContextSize?: number;
}

async function readConfig(folder: string): Promise<{ raw: Record<string, unknown>; config: ModelConfig }> {
  const raw = JSON.parse(await readFile(join(folder, 'config.json'), 'utf8')) as Record<string, unknown>;
  return { raw, config: parseModelConfig(raw) };
}

// Nothing here loads the MLX binding: only the engine worker does, so a machine without it (or
// without BLAS) still serves GGUF models.

/**
 * Loads MLX model folders (the mlx-community layout: config.json, safetensors, tokenizer.json)
 * with @frost-beta/mlx. Each model gets its own engine worker thread; CPU on Linux, where
 * weights run in float32.
 */
export class MlxBackend implements Backend {
  readonly specificationVersion = 'v1' as const;
  readonly id = MLX_BACKEND_ID;
  readonly capabilities = { formats: ['mlx'] as const, platforms: ['darwin', 'linux'] as const };
  private readonly logger: Logger;

  constructor(private readonly options: MlxBackendOptions = {}) {
    this.logger = options.logger ?? silentLogger();
  }

  async canLoad(model: ModelLocation): Promise<boolean> {
    if (model.format !== 'mlx') return false;
    const present = async (name: string) => stat(join(model.path, name)).then((info) => info.isFile(), () => false);
    return (await present('config.json')) && (await present('tokenizer.json'));
  }

  async estimateMemory(model: ModelLocation, options: ModelLoadOptions): Promise<MemoryEstimate> {
    const { config } = await readConfig(model.path);
    let bytes = 0;
    for (const file of await weightFiles(model.path)) bytes += (await stat(file)).size;
    // Half-precision weights are held as float32 on the CPU.
    if (!config.quantization) bytes *= 2;
    const contextSize = this.contextSizeFor(config, options);
    const kvBytes = 2 * config.layers * config.kvHeads * config.headDim * 4 * contextSize * options.parallel;
    return { cpuBytes: bytes + kvBytes, gpuBytes: 0 };
  }

  async load(location: ModelLocation, options: BackendLoadOptions): Promise<LoadedModel> {
    let raw: Record<string, unknown>;
    let config: ModelConfig;
    let tokenizer: ModelTokenizer;
    try {
      ({ raw, config } = await readConfig(location.path));
      tokenizer = await ModelTokenizer.load(location.path, config.eosTokenIds, config.bosTokenId);
    } catch (error) {
      if (error instanceof LlmuxError) throw new ModelLoadError(`Cannot load '${location.path}' as an MLX model: ${error.message}`, { cause: error });
      throw new ModelLoadError(`Cannot load '${location.path}' as an MLX model: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
    let started;
    try {
      started = await EngineClient.start({ folder: location.path, config: raw, slots: options.parallel }, options.signal);
    } catch (error) {
      throw new ModelLoadError(`Cannot load '${location.path}' as an MLX model: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
    options.onProgress?.({ fraction: 1 });
    const contextSize = this.contextSizeFor(config, options);
    this.logger.info(
      { model: location.id, contextSize, sequences: options.parallel, modelType: config.modelType, chatTemplate: tokenizer.hasChatTemplate },
      'mlx model ready',
    );
    return new MlxLoadedModel({
      id: location.id,
      engine: started.client,
      tokenizer,
      contextSize,
      parallel: options.parallel,
      maxQueue: options.maxQueue,
      memory: { cpuBytes: started.memoryBytes, gpuBytes: 0 },
      logger: this.logger,
    });
  }

  async dispose(): Promise<void> {
    // Every model owns its engine worker, which its unload ends.
  }

  private contextSizeFor(config: ModelConfig, options: ModelLoadOptions): number {
    if (options.contextSize !== undefined) return options.contextSize;
    return Math.min(config.maxPositionEmbeddings, this.options.maxDefaultContextSize ?? 4096);
  }
}
