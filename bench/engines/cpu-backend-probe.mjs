// Prints the path of the CPU backend library (libggml-cpu-<variant>.so) that llmux's binding loads on this
// machine: a local build's (`llmux engine build`) when there is one, as llmux picks it, else the prebuilt one.
import { findLocalBuild } from '@llmux/backend-gguf';
import { getLlama, LlamaLogLevel } from 'node-llama-cpp';

const options = {
  logLevel: LlamaLogLevel.debug,
  logger: (level, message) => {
    const match = /loaded CPU backend from (\S+)/.exec(message);
    if (match) console.log(match[1]);
  },
};
await (findLocalBuild() ? getLlama('lastBuild', options) : getLlama({ ...options, gpu: false, build: 'never' }));
