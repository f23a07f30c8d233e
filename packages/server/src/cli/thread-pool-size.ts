// Imported first by the CLI entry, before anything starts libuv's thread pool (its size is read once,
// at first use). node-llama-cpp runs every decode and every per-sequence sample as an async worker on
// that pool; with the default 4 threads, sample workers of one step contend with the next decode and
// the main thread pays more to queue each one. One thread measured 1.1-1.3x faster on 2 CPU cores and,
// with the batch yield patch, 2.2-2.5x on an H200 (docs/performance.md). An explicit setting wins.
process.env.UV_THREADPOOL_SIZE ??= '1';
