// Diagnostic for a throwaway benchmark machine: instruments the installed node-llama-cpp (patched) so that every
// process using it prints, every 2 s on stderr, its decode steps: how many, tokens per step, time inside the native
// decode and time between two decodes (the host's share). Run it once in the folder holding node_modules/.
// usage: node decode-stats.mjs [node_modules/node-llama-cpp]   (undo: reinstall node_modules)
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const file = path.join(process.argv[2] ?? 'node_modules/node-llama-cpp', 'dist/evaluator/LlamaContext/LlamaContext.js');
let source = readFileSync(file, 'utf8');
if (source.includes('__llmuxDecodeStats')) process.exit(0);
const stats = `
const __llmuxDecodeStats = { steps: 0, tokens: 0, inDecodeMs: 0, betweenMs: 0, lastEnd: 0 };
setInterval(() => {
    const s = __llmuxDecodeStats;
    if (s.steps === 0) return;
    process.stderr.write(\`decode-stats steps=\${s.steps} tokens/step=\${(s.tokens / s.steps).toFixed(1)} decode-ms/step=\${(s.inDecodeMs / s.steps).toFixed(2)} between-ms/step=\${(s.betweenMs / s.steps).toFixed(2)}\\n\`);
    Object.assign(s, { steps: 0, tokens: 0, inDecodeMs: 0, betweenMs: 0 });
}, 2000).unref();
function __llmuxTimed(size, promise) {
    const s = __llmuxDecodeStats, start = performance.now();
    if (s.lastEnd > 0 && start - s.lastEnd < 1000) s.betweenMs += start - s.lastEnd;
    return promise.then((value) => {
        s.lastEnd = performance.now();
        s.steps++; s.tokens += size; s.inDecodeMs += s.lastEnd - start;
        return value;
    });
}
`;
const replacements = [
  ['await this._ctx.decodeBatch(Int32Array.from(greedyLogitIndexes));', 'await __llmuxTimed(currentBatchSize, this._ctx.decodeBatch(Int32Array.from(greedyLogitIndexes)));'],
  ['await this._ctx.decodeBatch();', 'await __llmuxTimed(currentBatchSize, this._ctx.decodeBatch());'],
];
for (const [from, to] of replacements) {
  if (!source.includes(from)) throw new Error(`not found: ${from}`);
  source = source.replace(from, to);
}
const firstImportEnd = source.lastIndexOf('\nimport ');
const insertAt = source.indexOf('\n', firstImportEnd + 1) + 1;
writeFileSync(file, source.slice(0, insertAt) + stats + source.slice(insertAt));
console.log(`instrumented ${file}`);
