#!/usr/bin/env node
/**
 * The `llmux` executable: sizes libuv's thread pool, then starts the CLI (program.ts).
 *
 * node-llama-cpp runs every decode and every per-sequence sampling step as libuv pool work. With
 * the default 4 pool threads, sampling workers of one step and the next decode compete with
 * llama.cpp's compute threads for the cores; one pool thread serializes them and measured faster
 * on CPU (docs/performance.md). libuv reads UV_THREADPOOL_SIZE once, when the pool first starts,
 * and Node's ES module loader already uses the pool to read an ES module entry file, so this entry
 * is CommonJS: it runs before any pool work. A value set by the user is kept.
 */
process.env.UV_THREADPOOL_SIZE ??= '1';

void import('./program.js');
