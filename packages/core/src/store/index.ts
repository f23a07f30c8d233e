export { ConfigModelStore } from './config-model-store.js';
export { detectFormat } from './detect-format.js';
