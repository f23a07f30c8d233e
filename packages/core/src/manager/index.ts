export { ModelManager, type ModelManagerOptions } from './model-manager.js';
export type { ModelState, ModelStateEvent } from './model-state.js';
