export { MlxBackend, MLX_BACKEND_ID, type MlxBackendOptions } from './mlx-backend.js';
export { MlxLoadedModel } from './mlx-loaded-model.js';
export { SUPPORTED_MODEL_TYPES } from './engine/model-config.js';
export { convertGgufToMlx, type ConvertOptions, type ConvertResult } from './convert/gguf-to-mlx.js';
export { mlxPlugin } from './plugin.js';
export { mlxPlugin as default } from './plugin.js';
