// Greedy steps on and off, in process: one sequence generating greedily with node-llama-cpp's LlamaCompletion on the
// binding llmux picks (the steps need one built with `llmux engine build`), tokens/s and tokens per native decode call.
// Each setting runs in its own child process (the budget is read once, from LLMUX_GREEDY_STEPS_MS), alternating.
//
//   node bench/greedy-steps.mjs [--model models/stories260K.gguf] [--threads 1] [--tokens 200] [--rounds 12] [--budgets 0,4]
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median } from './lib/http-load.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: 'models/stories260K.gguf' },
    threads: { type: 'string', default: '1' },
    tokens: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '12' },
    budgets: { type: 'string', default: '0,4' },
  },
});
const modelPath = path.resolve(root, args.model);
const threads = Number(args.threads);
const tokens = Number(args.tokens);
const rounds = Number(args.rounds);
const budgets = args.budgets.split(',');

if (process.env.GREEDY_STEPS_CHILD) {
  const { getLlamaRuntime } = await import('../packages/backend-gguf/dist/llama-runtime.js');
  const { LlamaCompletion } = await import('node-llama-cpp');
  const llama = await getLlamaRuntime(false);
  const model = await llama.loadModel({ modelPath });
  const context = await model.createContext({ contextSize: 1024, sequences: 1, threads, flashAttention: false });
  const sequence = context.getSequence();
  // node-llama-cpp exposes no count of native decode calls: its internal binding object is wrapped here
  let calls = 0;
  let picks = 0;
  const native = context._ctx;
  context._ctx = new Proxy(native, {
    get(target, key) {
      if (key === 'decodeBatchSync')
        return (...callArgs) => {
          calls++;
          const result = target.decodeBatchSync(...callArgs);
          if (result && callArgs[0]) picks += result.length / callArgs[0].length;
          return result;
        };
      const value = Reflect.get(target, key);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const completion = new LlamaCompletion({ contextSequence: sequence });
  const rates = [];
  for (let round = 0; round < rounds; round++) {
    await sequence.clearHistory();
    let generated = 0;
    const started = performance.now();
    await completion.generateCompletion(`Once upon a time number ${round}`, { maxTokens: tokens, temperature: 0, onToken: (t) => (generated += t.length) });
    rates.push((generated / (performance.now() - started)) * 1000);
  }
  console.log(JSON.stringify({ tokS: median(rates), tokensPerCall: calls > 0 ? picks / calls : 0, binary: llama.buildType }));
  await context.dispose();
  await model.dispose();
} else {
  const results = new Map(budgets.map((budget) => [budget, []]));
  // three alternations of every budget, each a child process of `rounds` generations
  for (let pass = 0; pass < 3; pass++) {
    for (const budget of budgets) {
      const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
        env: { ...process.env, GREEDY_STEPS_CHILD: '1', LLMUX_GREEDY_STEPS_MS: budget, UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE ?? '1' },
        encoding: 'utf8',
      });
      if (child.status !== 0) throw new Error(`the child with LLMUX_GREEDY_STEPS_MS=${budget} failed:\n${child.stderr}`);
      results.get(budget).push(JSON.parse(child.stdout.trim().split('\n').pop()));
    }
  }
  console.log(`${path.basename(modelPath)}, ${threads} thread(s), ${tokens} tokens, greedy, one sequence, medians of ${rounds} x 3`);
  console.log('| LLMUX_GREEDY_STEPS_MS | tok/s | tokens per native call | binary |');
  console.log('|---|---|---|---|');
  for (const [budget, runs] of results)
    console.log(`| ${budget} | ${Math.round(median(runs.map((r) => r.tokS))).toLocaleString('en-US')} | ${median(runs.map((r) => r.tokensPerCall)).toFixed(1)} | ${runs[0].binary} |`);
}
