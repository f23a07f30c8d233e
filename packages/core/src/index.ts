export * from './contracts/index.js';
export * from './types/index.js';
export * from './errors/index.js';
export * from './config/index.js';
export * from './di/index.js';
export * from './logging/index.js';
export * from './registry/index.js';
export * from './store/index.js';
export * from './manager/index.js';
export * from './util/index.js';
export * from './plugin/index.js';
export { LLMUX_CORE_VERSION } from './version.js';
/** The host's zod: plugins validate their options with it, so schemas and errors match the host's. */
export { z } from 'zod';
