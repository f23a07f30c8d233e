export { HfCacheStore, type HfCacheStoreOptions } from './hf-cache-store.js';
export { hubCacheDir, repoFolderName, repoCachePaths, type RepoCachePaths } from './cache-layout.js';
export { parseModelRef, formatHubRef, type ModelRef } from './model-ref.js';
export { defaultAliasesFile, readAliasesFile } from './aliases.js';
export { readGgufFacts, readMlxFacts, type ModelFacts } from './model-facts.js';
