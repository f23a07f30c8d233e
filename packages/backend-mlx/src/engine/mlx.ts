import { createRequire } from 'node:module';
import type { core } from './mlx-types.js';

// Loaded through require so that TypeScript does not read the package's own declarations.
const binding = createRequire(import.meta.url)('@frost-beta/mlx') as { core: typeof core };

/** The MLX core module (`mx`), loaded once per thread. */
export const mx = binding.core;
export type MxArray = core.array;
