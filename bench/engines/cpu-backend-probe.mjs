// Prints the path of the CPU backend library (libggml-cpu-<variant>.so) that node-llama-cpp loads on this machine.
import { getLlama, LlamaLogLevel } from 'node-llama-cpp';

await getLlama({
  gpu: false,
  build: 'never',
  logLevel: LlamaLogLevel.debug,
  logger: (level, message) => {
    const match = /loaded CPU backend from (\S+)/.exec(message);
    if (match) console.log(match[1]);
  },
});
