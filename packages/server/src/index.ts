export { buildApp } from './app.js';
export { startServer, type RunningServer } from './server.js';
export { createRuntime, type Runtime, type RuntimeOptions } from './runtime/runtime.js';
export { bundledModelsConfig, bundledModelsDir } from './runtime/bundled-models.js';
export { resolveServeConfig, type ServeOptions } from './cli/serve-command.js';
export { VERSION } from './version.js';
