import { stat } from 'node:fs/promises';
import type { ModelInfo, ModelStore } from '../contracts/model-store.js';
import type { ModelConfig } from '../config/schema.js';
import { ModelNotFoundError, InvalidRequestError } from '../errors/llmux-error.js';
import type { ModelLocation } from '../types/model.js';
import { detectFormat } from './detect-format.js';

/**
 * The models named in config, resolved by id or alias to their local files.
 * (The Hugging Face cache store builds on the same contract.)
 */
export class ConfigModelStore implements ModelStore {
  readonly specificationVersion = 'v1' as const;
  readonly id = 'config';
  private readonly byName = new Map<string, string>();

  constructor(private readonly models: Readonly<Record<string, ModelConfig>>) {
    for (const [id, model] of Object.entries(models)) {
      this.byName.set(id, id);
      for (const alias of model.aliases) if (!this.byName.has(alias)) this.byName.set(alias, id);
    }
  }

  /** The configured id for a name (id or alias), or undefined. */
  idFor(name: string): string | undefined {
    return this.byName.get(name);
  }

  async list(): Promise<ModelInfo[]> {
    const infos: ModelInfo[] = [];
    for (const [id, model] of Object.entries(this.models)) {
      const format = (await detectFormat(model.source)) ?? 'gguf';
      const size = await stat(model.source).then((s) => s.size, () => 0);
      infos.push({ id, format, path: model.source, sizeBytes: size, aliases: model.aliases });
    }
    return infos;
  }

  async resolve(ref: string): Promise<ModelLocation> {
    const id = this.byName.get(ref);
    if (!id) throw new ModelNotFoundError(ref, [...this.byName.keys()]);
    const model = this.models[id]!;
    // A source no built-in format matches is the named backend's own business (a plugin's kind of model).
    const format = (await detectFormat(model.source)) ?? (model.backend ? 'custom' : undefined);
    if (!format) {
      throw new InvalidRequestError(
        `The source of model '${id}' (${model.source}) is not a GGUF file, an MLX folder or a URL, or does not exist (a plugin's own kind of source needs 'backend:' in the model's config).`,
        { param: 'model' },
      );
    }
    return { id, format, path: model.source, ...(model.backend ? { backend: model.backend } : {}) };
  }
}
