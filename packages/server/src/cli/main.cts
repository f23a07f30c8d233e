#!/usr/bin/env -S node --max-semi-space-size=4
/**
 * The `llmux` executable: sizes libuv's thread pool, then starts the CLI (program.ts).
 *
 * node-llama-cpp runs every decode and every per-sequence sampling step as libuv pool work. With
 * the default 4 pool threads, sampling workers of one step and the next decode compete with
 * llama.cpp's compute threads for the cores; one pool thread serializes them and measured faster
 * on CPU (docs/performance.md). libuv reads UV_THREADPOOL_SIZE once, when the pool first starts,
 * and Node's ES module loader already uses the pool to read an ES module entry file, so this entry
 * is CommonJS: it runs before any pool work. A value set by the user is kept.
 *
 * The shebang caps V8's young generation at 4 MB per semi-space (default 16 MB). Loading models
 * and rendering chat templates allocate in bursts that grow it to its maximum, and V8 keeps it
 * there: the cap saves ~25 MB of resident memory at no measured speed cost (docs/performance.md).
 * Started as `node main.cjs`, pass the flag yourself (the root `llmux` script does).
 */
process.env.UV_THREADPOOL_SIZE ??= '1';

void import('./program.js');
