// node bench/after-idle.mjs [--rounds 6] [--pause 6.5] — requests right after an idle pause, with and without the
// server's idle collection (one full garbage collection after `server.idleCollect` without requests; 30 s by default,
// here 5 s so that it falls inside the pause), one server after the other on stories260K, 1 thread. Each round: a
// pause, then 4 streamed chat requests of 128 tokens one after the other. Prints the median time of each of the 4
// requests over the rounds, and the ratio.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { median, streamOnce } from './lib/http-load.mjs';
import { log, root, startLlmux } from './lib/processes.mjs';

const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '6' }, pause: { type: 'string', default: '6.5' } } });
const model = path.join(root, 'models/stories260K.gguf');
const dir = mkdtempSync(path.join(os.tmpdir(), 'llmux-after-idle-'));

async function measure(idleCollect) {
  const config = path.join(dir, `idle-${idleCollect}.json`);
  writeFileSync(config, JSON.stringify({ server: { idleCollect } }));
  const server = await startLlmux(['-c', config, '--model', model, '--threads', '1', '--parallel', '8']);
  try {
    for (let i = 0; i < 24; i++) await streamOnce(server.base, { kind: 'chat', model: 'default', prompt: `Once upon a time, a dog number ${i} said`, maxTokens: 16 });
    const times = [[], [], [], []];
    for (let round = 0; round < Number(args.rounds); round++) {
      await new Promise((resolve) => setTimeout(resolve, Number(args.pause) * 1000));
      for (let i = 0; i < 4; i++) {
        const result = await streamOnce(server.base, { kind: 'chat', model: 'default', prompt: `Once upon a time, a cat number ${round * 10 + i} said`, maxTokens: 128 });
        times[i].push(result.ms);
      }
    }
    return times.map(median);
  } finally {
    await server.stop();
  }
}

log(`== ${args.rounds} rounds, ${args.pause} s pauses`);
const collected = await measure('5s');
const kept = await measure('0s');
process.stdout.write(`| request after the pause | 1st | 2nd | 3rd | 4th |\n|---|---|---|---|---|\n`);
process.stdout.write(`| ms, collection 5 s after the last request | ${collected.map((ms) => ms.toFixed(1)).join(' | ')} |\n`);
process.stdout.write(`| ms, no collection | ${kept.map((ms) => ms.toFixed(1)).join(' | ')} |\n`);
process.stdout.write(`| ratio | ${collected.map((ms, i) => (ms / kept[i]).toFixed(2) + 'x').join(' | ')} |\n`);
