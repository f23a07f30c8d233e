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
/** The version of the contracts this core implements; plugins declare a range against it. */
export const LLMUX_CORE_VERSION = '1.0.0';
