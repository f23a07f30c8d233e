// pnpm bench:prefix — prefix reuse: turn 2 of a chat whose first ~1,500 tokens are the same as turn 1's
// must start much sooner, because llmux gives it the sequence that already holds those tokens.
// Prints turn-1 and turn-2 TTFT (medians over rounds, each round with a new shared prefix) and the
// cached_tokens llmux reports; then, with one sequence and two conversations taking turns, the TTFT of a
// conversation that comes back with the prompt cache on and off; and eight new conversations at once that share a
// system prompt, with the prompt cache on and off. Model: the synthetic 125M model when bench:engines has made it (a
// realistic prompt-processing cost), else stories260K.
// Options: --rounds N (default 3)  --model PATH  --prefix-words N (default 1480: ~1,500 tokens)
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { median, streamOnce } from '../lib/http-load.mjs';
import { log, root, startLlmux } from '../lib/processes.mjs';

const { values: args } = parseArgs({
  options: { rounds: { type: 'string', default: '3' }, model: { type: 'string' }, 'prefix-words': { type: 'string', default: '1480' } },
});
const synth = path.join(root, 'bench/.cache/synth-125m-q8_0.gguf');
const model = args.model ?? (existsSync(synth) ? synth : path.join(root, 'models/stories260K.gguf'));
const words = ['the', 'little', 'dog', 'ran', 'over', 'a', 'green', 'hill', 'and', 'saw', 'bright', 'sun', 'in', 'sky', 'with', 'his', 'friend', 'cat'];
const prefixFor = (round) =>
  `Story ${round}. ` + Array.from({ length: Number(args['prefix-words']) }, (_, i) => words[(i * 7 + round) % words.length]).join(' ') + '.';

const server = await startLlmux(['--model', model, '--threads', '1', '--parallel', '4', '--context-size', '2048']);
const rows = [];
try {
  await streamOnce(server.base, { kind: 'chat', model: 'default', prompt: 'warm up', maxTokens: 4 });
  for (let round = 0; round < Number(args.rounds); round++) {
    const system = prefixFor(round);
    const first = [
      { role: 'system', content: system },
      { role: 'user', content: 'What did the dog see?' },
    ];
    const turn1 = await streamOnce(server.base, { kind: 'chat', model: 'default', messages: first, maxTokens: 16 });
    // Another conversation in between, as on a shared server: it must not take turn 1's sequence.
    await streamOnce(server.base, { kind: 'chat', model: 'default', prompt: `Something else ${round}`, maxTokens: 16 });
    const second = [...first, { role: 'assistant', content: 'It saw the sun.' }, { role: 'user', content: 'And then?' }];
    const turn2 = await streamOnce(server.base, { kind: 'chat', model: 'default', messages: second, maxTokens: 16 });
    rows.push({ round, turn1, turn2 });
    log(`round ${round + 1}: turn 1 ${turn1.promptTokens} prompt tokens, TTFT ${turn1.ttftMs.toFixed(1)} ms; turn 2 ${turn2.promptTokens} prompt tokens (${turn2.cachedTokens} cached), TTFT ${turn2.ttftMs.toFixed(1)} ms`);
  }
} finally {
  await server.stop();
}
// More conversations than sequences: one sequence, two conversations taking turns. A conversation comes back
// after the other took its sequence; with the prompt cache its state is loaded back, without it
// (--prompt-cache 0) its whole prompt is evaluated again. Both servers in this run, one after the other.
async function returningTurns(extraFlags) {
  const one = await startLlmux(['--model', model, '--threads', '1', '--parallel', '1', '--context-size', '2048', ...extraFlags]);
  const back = [];
  try {
    await streamOnce(one.base, { kind: 'chat', model: 'default', prompt: 'warm up', maxTokens: 4 });
    for (let round = 0; round < Number(args.rounds); round++) {
      const [a, b] = [100, 200].map((n) => [
        { role: 'system', content: prefixFor(n + round) },
        { role: 'user', content: 'What did the dog see?' },
      ]);
      await streamOnce(one.base, { kind: 'chat', model: 'default', messages: a, maxTokens: 16 });
      await streamOnce(one.base, { kind: 'chat', model: 'default', messages: b, maxTokens: 16 });
      const again = [...a, { role: 'assistant', content: 'It saw the sun.' }, { role: 'user', content: 'And then?' }];
      back.push(await streamOnce(one.base, { kind: 'chat', model: 'default', messages: again, maxTokens: 16 }));
    }
  } finally {
    await one.stop();
  }
  return { ttftMs: median(back.map((r) => r.ttftMs)), promptTokens: median(back.map((r) => r.promptTokens)), cachedTokens: median(back.map((r) => r.cachedTokens)) };
}
// Eight new conversations at once that share a system prompt, on a server whose sequences hold other prompts (a
// burst of one-off prompts just took them): each request gets the system prompt's saved state loaded into its
// sequence while the others generate, or evaluates it again (--prompt-cache 0). TTFT p50 of each burst, medians.
async function sharedSystemBurst(extraFlags) {
  const eight = await startLlmux(['--model', model, '--threads', '1', '--parallel', '8', '--context-size', '2048', ...extraFlags]);
  const system = prefixFor(300).split(' ').slice(0, 300).join(' ');
  const ask = (text) => [
    { role: 'system', content: system },
    { role: 'user', content: text },
  ];
  const p50s = [];
  const cached = [];
  let promptTokens = 0;
  try {
    // A conversation with the system prompt, then a one-off prompt that takes its sequence (its state is saved).
    await streamOnce(eight.base, { kind: 'chat', model: 'default', messages: ask('Who is in the story?'), maxTokens: 4 });
    await streamOnce(eight.base, { kind: 'chat', model: 'default', prompt: 'Something else', maxTokens: 4 });
    for (let round = 0; round < Number(args.rounds); round++) {
      await Promise.all(Array.from({ length: 8 }, (_, i) => streamOnce(eight.base, { kind: 'chat', model: 'default', prompt: `Another thing ${round} ${i}`, maxTokens: 4 })));
      const burst = await Promise.all(
        Array.from({ length: 8 }, (_, i) => streamOnce(eight.base, { kind: 'chat', model: 'default', messages: ask(`What did friend ${round * 10 + i} see?`), maxTokens: 16 })),
      );
      p50s.push(median(burst.map((r) => r.ttftMs)));
      cached.push(median(burst.map((r) => r.cachedTokens)));
      promptTokens = median(burst.map((r) => r.promptTokens));
    }
  } finally {
    await eight.stop();
  }
  return { ttftMs: median(p50s), cachedTokens: median(cached), promptTokens };
}
const burstCached = await sharedSystemBurst([]);
const burstUncached = await sharedSystemBurst(['--prompt-cache', '0']);
log(`shared system prompt, 8 at once: ${burstCached.cachedTokens} of ${burstCached.promptTokens} tokens cached, TTFT p50 ${burstCached.ttftMs.toFixed(1)} ms; without the prompt cache ${burstUncached.cachedTokens} cached, ${burstUncached.ttftMs.toFixed(1)} ms`);

const cachedRun = await returningTurns([]);
const uncachedRun = await returningTurns(['--prompt-cache', '0']);
log(`returning conversation: ${cachedRun.cachedTokens} of ${cachedRun.promptTokens} tokens cached, TTFT ${cachedRun.ttftMs.toFixed(1)} ms; without the prompt cache ${uncachedRun.cachedTokens} cached, ${uncachedRun.ttftMs.toFixed(1)} ms`);

/** The markdown rows of one measurement with the prompt cache on and off, and the ratio of their TTFTs. */
const onOffTable = (on, off, cachedLabel, ttftLabel) => [
  `| prompt cache | prompt tokens | ${cachedLabel} | ${ttftLabel} ms |`,
  '|---|---|---|---|',
  `| on (default) | ${on.promptTokens} | ${on.cachedTokens} | ${on.ttftMs.toFixed(1)} |`,
  `| off (--prompt-cache 0) | ${off.promptTokens} | ${off.cachedTokens} | ${off.ttftMs.toFixed(1)} |`,
  '',
  `On / off ${ttftLabel}: ${(on.ttftMs / off.ttftMs).toFixed(3)}x.`,
];

const t1 = median(rows.map((r) => r.turn1.ttftMs));
const t2 = median(rows.map((r) => r.turn2.ttftMs));
const lines = [
  `Prefix reuse, ${path.basename(model)}, threads 1, medians of ${rows.length} rounds:`,
  '',
  '| turn | prompt tokens | cached tokens | TTFT ms |',
  '|---|---|---|---|',
  `| 1 | ${median(rows.map((r) => r.turn1.promptTokens))} | ${median(rows.map((r) => r.turn1.cachedTokens))} | ${t1.toFixed(1)} |`,
  `| 2 | ${median(rows.map((r) => r.turn2.promptTokens))} | ${median(rows.map((r) => r.turn2.cachedTokens))} | ${t2.toFixed(1)} |`,
  '',
  `Turn 2 / turn 1 TTFT: ${(t2 / t1).toFixed(3)}x (goal <= 0.25x).`,
  '',
  `More conversations than sequences (--parallel 1, two conversations taking turns), the turn of a conversation that comes back:`,
  '',
  ...onOffTable(cachedRun, uncachedRun, 'cached tokens', 'TTFT'),
  '',
  `Eight new conversations at once sharing a ~${burstCached.promptTokens}-token system prompt (--parallel 8; a burst of one-off prompts holds the sequences), TTFT p50 of the burst:`,
  '',
  ...onOffTable(burstCached, burstUncached, 'cached tokens (median)', 'TTFT p50'),
];
process.stdout.write(lines.join('\n') + '\n');
