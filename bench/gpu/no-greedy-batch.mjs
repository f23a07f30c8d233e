// Preloaded into `llmux serve` (node --import) to measure without the patched native greedy batch:
// every sample then takes node-llama-cpp's per-sequence sampleToken path, as on a prebuilt binary.
// node-llama-cpp tests each binary in a child process that inherits this flag: leave that one alone.
if (process.argv[1]?.endsWith('main.cjs')) {
  const { LlamaContext } = await import('node-llama-cpp');
  LlamaContext.prototype._canSampleGreedyBatch = () => false;
}
