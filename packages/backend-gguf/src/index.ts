export { GgufBackend, type GgufBackendOptions } from './gguf-backend.js';
export { GgufLoadedModel } from './gguf-loaded-model.js';
export { PlainChatWrapper } from './plain-chat-wrapper.js';
export { toEngineSampling } from './sampling.js';
export { defaultThreads } from './default-threads.js';
export { getLlamaRuntime, disposeLlamaRuntimes, type GpuSetting } from './llama-runtime.js';
export { chooseLlamaBinary, findLocalBuild, gpuOfBuildFolder, type LlamaBinaryChoice, type LocalBuild } from './llama-binary-choice.js';
export { llamaDeviceInfo, describeLlama, type LlamaDeviceInfo } from './device-info.js';
