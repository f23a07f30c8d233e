import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LlmuxConfigInput } from '@llmux/core';

/**
 * The folder with the models that ship with llmux: `LLMUX_MODELS_DIR`, else the nearest
 * `models/` above this package that holds them (the repository's own).
 */
export function bundledModelsDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.LLMUX_MODELS_DIR) return path.resolve(env.LLMUX_MODELS_DIR);
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'models');
    if (existsSync(path.join(candidate, 'stories260K.gguf'))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** The models served when there is no config: the two bundled GGUFs and the MLX copy of brown. */
export function bundledModelsConfig(modelsDir: string): NonNullable<LlmuxConfigInput['models']> {
  return {
    stories260K: {
      source: path.join(modelsDir, 'stories260K.gguf'),
      aliases: ['stories', 'default'],
    },
    'brown-llama-1m': {
      source: path.join(modelsDir, 'brown-llama-1m-Q8_0.gguf'),
      aliases: ['brown'],
    },
    'brown-llama-1m-mlx': {
      source: path.join(modelsDir, 'brown-llama-1m-mlx'),
      aliases: ['brown-mlx'],
    },
  };
}
