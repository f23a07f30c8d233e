export { MockBackend, MockLoadedModel, type MockBackendOptions, type MockBackendCall } from './mock-backend.js';
export { describeBackendContract, type BackendContractOptions, type BackendContractCapabilities } from './backend-contract.js';
export { checkPlugin, type PluginCheckOptions, type PluginCheckResult } from './plugin-check.js';
export { collectStream, type CollectedStream } from './collect-stream.js';
