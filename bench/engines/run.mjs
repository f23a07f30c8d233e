// pnpm bench:engines — llmux vs node-llama-cpp direct vs llama-server, side by side, in one run.
// See docs/performance.md. Options (all optional):
//   --rounds N          rounds per measurement, medians reported (default 3)
//   --models a,b        stories260K,synth-125m (default both)
//   --threads 1,2       --concurrency 1,4,8      --tokens 128 (max tokens per request)
//   --requests 8 (per measurement, at least one per stream)
//   --engines llmux,direct,llama-server          --out DIR (default bench/results)
//                       llmux[ENV=VALUE;--flag=VALUE] is llmux with those environment variables and serve flags
//   --warmup N          short requests (16 tokens) each engine serves before it is measured (default 24): a Node
//                       process compiles its hot paths during its first requests (TTFT ~7 ms, then ~4 ms on stories260K)
//   --settle MS         pause before each measurement (default 500): llama-server's pool threads keep spinning for
//                       ~100 ms after its last request, and in the rotating order the same engine always comes next
//   --smoke             one short request per engine on stories260K, no files written; llama-server only when
//                       it is already built (the build takes minutes) unless --engines names it
import { fork, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { median, runLoad, streamOnce } from '../lib/http-load.mjs';
import { fail, log, llmuxMain, root, rssOf, startLlmux, startServerProcess, stopChild, track } from '../lib/processes.mjs';
import { renderMarkdown } from './report.mjs';

const here = path.join(root, 'bench/engines');
const cache = path.join(root, 'bench/.cache');
const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    models: { type: 'string', default: 'stories260K,synth-125m' },
    threads: { type: 'string', default: '1,2' },
    concurrency: { type: 'string', default: '1,4,8' },
    tokens: { type: 'string', default: '128' },
    requests: { type: 'string', default: '8' },
    engines: { type: 'string' },
    out: { type: 'string', default: path.join(root, 'bench/results') },
    smoke: { type: 'boolean', default: false },
    warmup: { type: 'string', default: '24' },
    settle: { type: 'string', default: '500' },
  },
});
const list = (text) => text.split(',').map((s) => s.trim()).filter(Boolean);
const smoke = args.smoke;
if (!existsSync(llmuxMain)) fail(`${llmuxMain} is missing: run 'pnpm build' first`);

// ---------- what to run
const builtServer = path.join(cache, `llama.cpp-${llamaCppTag()}/build-cpu/bin/llama-server`);
let engines = args.engines ? list(args.engines) : smoke && !existsSync(builtServer) ? ['llmux', 'direct'] : ['llmux', 'direct', 'llama-server'];
const rounds = smoke ? 1 : Number(args.rounds);
const maxTokens = smoke ? 8 : Number(args.tokens);
const warmup = smoke ? 0 : Number(args.warmup);
const settleMs = smoke ? 0 : Number(args.settle);
const threadsList = smoke ? [1] : list(args.threads).map(Number);
const concurrencies = smoke ? [1] : list(args.concurrency).map(Number);
const parallel = Math.max(...concurrencies);
const contextSize = 1024;

let llamaServerBin = null;
let llamaServerLibs = null;
if (engines.includes('llama-server')) {
  log('== llama-server from node-llama-cpp\'s bundled llama.cpp source (cached after the first build)');
  const built = spawnSync('bash', [path.join(here, 'build-llama-server.sh'), cache], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  if (built.status !== 0) fail('the llama-server build failed (see above)');
  llamaServerBin = built.stdout.trim().split('\n').pop();
  llamaServerLibs = sameCpuKernels(path.dirname(llamaServerBin));
}

/**
 * llama-server runs on the very CPU kernels node-llama-cpp loads (its prebuilt libggml-cpu variant for this
 * CPU), so that both engines do the same arithmetic and only the programs around it differ. (The build's own
 * -march=native kernels also died with SIGILL on a VM that lists AMX but does not enable it.) Returns a
 * folder for LD_LIBRARY_PATH: the variant as libggml-cpu.so.0, beside the build's libggml-base.
 */
function sameCpuKernels(binDir) {
  const probe = spawnSync(process.execPath, [path.join(here, 'cpu-backend-probe.mjs')], { encoding: 'utf8' });
  const variant = probe.stdout.trim().split('\n').find((line) => line.endsWith('.so'));
  if (!variant) fail(`cannot tell which CPU backend node-llama-cpp loads:\n${probe.stderr}`);
  const dir = path.join(cache, 'llama-server-cpu');
  mkdirSync(dir, { recursive: true });
  for (const [name, target] of [['libggml-cpu.so.0', variant], ['libggml-base.so', path.join(binDir, 'libggml-base.so.0')]]) {
    rmSync(path.join(dir, name), { force: true });
    symlinkSync(target, path.join(dir, name));
  }
  log(`   llama-server uses node-llama-cpp's CPU kernels: ${path.basename(variant)}`);
  return dir;
}

const models = [];
for (const name of smoke ? ['stories260K'] : list(args.models)) {
  if (name === 'stories260K') models.push({ name, file: path.join(root, 'models/stories260K.gguf') });
  else if (name === 'synth-125m') models.push({ name, file: synthModel() });
  else fail(`unknown model '${name}' (stories260K, synth-125m)`);
}

function llamaCppTag() {
  const nlc = path.join(root, 'packages/backend-gguf/node_modules/node-llama-cpp');
  return JSON.parse(readFileSync(path.join(nlc, 'llama/llama.cpp.info.json'), 'utf8')).tag;
}

/** The synthetic 125M Llama-shape Q8_0 model: random weights, llama.cpp's SentencePiece vocab (32,000 tokens). */
function synthModel() {
  const file = path.join(cache, 'synth-125m-q8_0.gguf');
  if (existsSync(file)) return file;
  const source = path.join(cache, `llama.cpp-${llamaCppTag()}`);
  if (!existsSync(path.join(source, 'gguf-py'))) {
    const built = spawnSync('bash', [path.join(here, 'build-llama-server.sh'), cache], { stdio: ['ignore', 'ignore', 'inherit'] });
    if (built.status !== 0 && !existsSync(path.join(source, 'gguf-py'))) fail('cannot get the llama.cpp source for gguf-py');
  }
  log('== synthetic 125M model (random weights, real tokenizer) ->', file);
  const made = spawnSync('python3', [path.join(here, 'make-synthetic-gguf.py'), source, path.join(source, 'models/ggml-vocab-llama-spm.gguf'), file + '.tmp'], {
    stdio: 'inherit',
  });
  if (made.status !== 0) fail('make-synthetic-gguf.py failed (it needs python3 with numpy)');
  renameSync(file + '.tmp', file);
  return file;
}

// ---------- engines
function httpEngine(name, server, kind) {
  return {
    name,
    pid: server.pid,
    run: ({ concurrency, requestsPerStream, prompts, tokens = maxTokens }) =>
      runLoad({ concurrency, requestsPerStream, request: (i) => streamOnce(server.base, { kind, model: 'default', prompt: prompts[i], maxTokens: tokens }) }),
    stop: server.stop,
  };
}

async function startDirect(model, threads) {
  const child = track(fork(path.join(here, 'direct-engine.mjs'), [model.file, String(threads), String(parallel), String(contextSize)], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  }));
  await new Promise((resolve, reject) => {
    child.once('message', (m) => (m.type === 'ready' ? resolve() : reject(new Error(JSON.stringify(m)))));
    child.once('exit', (code) => reject(new Error(`direct engine exited with ${code}`)));
  });
  return {
    name: 'direct',
    pid: child.pid,
    run: (job) =>
      new Promise((resolve, reject) => {
        child.once('message', (m) => (m.type === 'result' ? resolve(m.result) : reject(new Error(m.message))));
        child.send({ type: 'run', maxTokens: job.tokens ?? maxTokens, ...job });
      }),
    stop: () => stopChild(child),
  };
}

/**
 * `llmux[KEY=VALUE;--flag=VALUE;...]` runs llmux with those environment variables and `llmux serve` flags (to
 * measure a lever on and off).
 */
function parseVariant(name) {
  const match = /^llmux\[(.*)\]$/.exec(name);
  if (!match) return undefined;
  const pairs = match[1].split(';').map((pair) => pair.split('='));
  return { env: Object.fromEntries(pairs.filter(([key]) => !key.startsWith('--'))), flags: pairs.filter(([key]) => key.startsWith('--')).flat() };
}

async function startEngine(name, model, threads) {
  if (name === 'direct') return startDirect(model, threads);
  const variant = name === 'llmux' ? { env: {}, flags: [] } : parseVariant(name);
  if (variant) {
    const flags = ['--model', model.file, '--threads', String(threads), '--parallel', String(parallel), '--context-size', String(contextSize), ...variant.flags];
    return httpEngine(name, await startLlmux(flags, variant.env), 'chat');
  }
  if (name === 'llama-server') {
    const server = await startServerProcess({
      name,
      command: llamaServerBin,
      argv: (port) => [
        '-m', model.file, '-t', String(threads), '-tb', String(threads), '-np', String(parallel), '-c', String(contextSize * parallel),
        '-fa', 'off', '--host', '127.0.0.1', '--port', String(port), '--no-webui',
      ],
      readyPath: '/health',
      env: { LD_LIBRARY_PATH: llamaServerLibs },
    });
    return httpEngine(name, server, 'completion');
  }
  fail(`unknown engine '${name}' (llmux, llmux[ENV=VALUE;...], direct, llama-server)`);
}

// ---------- measurement
const words = ['river', 'castle', 'garden', 'dragon', 'robot', 'forest', 'ocean', 'winter', 'rabbit', 'city', 'moon', 'train'];
const promptsFor = (round, count) => Array.from({ length: count }, (_, i) => `Once upon a time, a ${words[(i + round) % words.length]} number ${round * 100 + i} said`);

const machine = {
  cpu: os.cpus()[0]?.model ?? 'unknown',
  cores: os.availableParallelism?.() ?? os.cpus().length,
  memGiB: Math.round(os.totalmem() / 2 ** 30),
  node: process.version,
  nodeLlamaCpp: JSON.parse(readFileSync(path.join(root, 'packages/backend-gguf/node_modules/node-llama-cpp/package.json'), 'utf8')).version,
  llamaCpp: llamaCppTag(),
  loadAverageAtStart: os.loadavg().map((v) => Math.round(v * 100) / 100),
};
const measurements = [];
const startedAt = new Date();
for (const model of models) {
  for (const threads of threadsList) {
    log(`== ${model.name}, threads ${threads}: starting ${engines.join(', ')}`);
    const running = [];
    try {
      for (const name of engines) running.push(await startEngine(name, model, threads));
      const idleRss = {};
      for (const engine of running) {
        await engine.run({ concurrency: 1, requestsPerStream: 1, prompts: promptsFor(99, 1) }); // first request (JIT load in llmux)
        // warm-up: short requests, so that the JavaScript engines are measured with their hot paths compiled
        if (warmup > 0) await engine.run({ concurrency: 1, requestsPerStream: warmup, prompts: promptsFor(98, warmup), tokens: Math.min(16, maxTokens) });
        idleRss[engine.name] = rssOf(engine.pid);
      }
      for (const concurrency of concurrencies) {
        for (let round = 0; round < rounds; round++) {
          // rotate the order each round so that no engine always runs first (or right after another)
          const order = running.map((_, i) => running[(i + round) % running.length]);
          for (const engine of order) {
            // about --requests requests per measurement, at least one per stream
            const requestsPerStream = smoke ? 1 : Math.max(1, Math.ceil(Number(args.requests) / concurrency));
            const prompts = promptsFor(round, concurrency * requestsPerStream);
            if (settleMs > 0) await new Promise((resolve) => setTimeout(resolve, settleMs));
            const result = await engine.run({ concurrency, requestsPerStream, prompts });
            measurements.push({ model: model.name, threads, engine: engine.name, round, ...result });
            log(`   c=${concurrency} round ${round + 1}/${rounds} ${engine.name.padEnd(12)} ${String(result.aggTokS).padStart(8)} tok/s  ttft p50 ${result.ttftP50Ms} ms  (${result.tokens} tokens)`);
          }
        }
      }
      for (const engine of running) measurements.push({ model: model.name, threads, engine: engine.name, idleRssBytes: idleRss[engine.name] });
    } finally {
      for (const engine of running) await engine.stop();
    }
  }
}

// ---------- medians, ratios, report
const rows = [];
for (const model of models)
  for (const threads of threadsList)
    for (const concurrency of concurrencies) {
      const row = { model: model.name, threads, concurrency };
      for (const name of engines) {
        const mine = measurements.filter((m) => m.model === model.name && m.threads === threads && m.engine === name && m.concurrency === concurrency);
        if (mine.length === 0) continue;
        row[name] = {
          aggTokS: median(mine.map((m) => m.aggTokS)),
          perStreamTokS: median(mine.map((m) => m.perStreamTokS)),
          ttftP50Ms: median(mine.map((m) => m.ttftP50Ms)),
          ttftP99Ms: median(mine.map((m) => m.ttftP99Ms)),
          tokens: median(mine.map((m) => m.tokens)),
          rounds: mine.length,
        };
      }
      rows.push(row);
    }
const idle = measurements.filter((m) => m.idleRssBytes !== undefined);
const report = { startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), machine, rounds, maxTokens, warmup, contextSize, parallel, engines, rows, idle, measurements };
const markdown = renderMarkdown(report);
process.stdout.write(markdown + '\n');
if (!smoke) {
  mkdirSync(args.out, { recursive: true });
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-').replace(/-\d+Z$/, 'Z');
  writeFileSync(path.join(args.out, `engines-${stamp}.md`), markdown + '\n');
  writeFileSync(path.join(args.out, `engines-${stamp}.json`), JSON.stringify(report, null, 2) + '\n');
  log(`wrote ${path.join(args.out, `engines-${stamp}.md`)} and .json`);
} else {
  const bad = rows.flatMap((row) => engines.filter((name) => !(row[name]?.tokens > 0)).map((name) => name));
  if (bad.length > 0) fail(`no tokens from: ${bad.join(', ')}`);
}
