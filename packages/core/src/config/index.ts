export {
  configSchema,
  serverSchema,
  modelConfigSchema,
  generationDefaultsSchema,
  routerConfigSchema,
  virtualModelSchema,
  type RouterConfig,
  type VirtualModelConfig,
  type LlmuxConfig,
  type LlmuxConfigInput,
  type ModelConfig,
  type GenerationDefaults,
} from './schema.js';
export { loadConfig, parseConfig, type LoadedConfig, type LoadConfigOptions } from './load-config.js';
export { parseDurationSeconds } from './duration.js';
export { parseByteSize } from './byte-size.js';
export { withGenerationDefaults } from './apply-defaults.js';
