// node-llama-cpp used directly (no HTTP, no llmux): the reference for what the library gives on its own.
// Forked by run.mjs with argv MODEL THREADS PARALLEL CONTEXT_SIZE; answers { type: 'run' } messages.
// The library's defaults are kept (prebuilt binary, default libuv pool, stock batching); the context gets
// the same explicit options llmux passes (threads, sequences, context size, flash attention off).
import { getLlama, LlamaCompletion, LlamaLogLevel } from 'node-llama-cpp';
import { summarize } from '../lib/http-load.mjs';

const [modelPath, threads, parallel, contextSize] = process.argv.slice(2);
const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
const model = await llama.loadModel({ modelPath });
const context = await model.createContext({ contextSize: Number(contextSize), sequences: Number(parallel), threads: Number(threads), flashAttention: false });
const completions = Array.from({ length: Number(parallel) }, () => new LlamaCompletion({ contextSequence: context.getSequence() }));

async function one(completion, prompt, maxTokens) {
  const t0 = performance.now();
  let ttftMs = null;
  let tokens = 0;
  await completion.generateCompletion(prompt, {
    maxTokens,
    temperature: 0,
    onToken: (chunk) => (tokens += chunk.length),
    onTextChunk: (text) => {
      if (text) ttftMs ??= performance.now() - t0;
    },
  });
  const ms = performance.now() - t0;
  return { ms, ttftMs: ttftMs ?? ms, tokens };
}

process.on('message', async (message) => {
  if (message.type === 'rss') return process.send({ type: 'rss', rss: process.memoryUsage.rss() });
  if (message.type !== 'run') return;
  try {
    const { concurrency, requestsPerStream, maxTokens, prompts } = message;
    const results = [];
    const t0 = performance.now();
    await Promise.all(
      completions.slice(0, concurrency).map(async (completion, worker) => {
        for (let j = 0; j < requestsPerStream; j++) results.push(await one(completion, prompts[worker * requestsPerStream + j], maxTokens));
      }),
    );
    process.send({ type: 'result', result: summarize(results, performance.now() - t0, concurrency) });
  } catch (error) {
    process.send({ type: 'error', message: String(error?.stack ?? error) });
  }
});
process.send({ type: 'ready' });
