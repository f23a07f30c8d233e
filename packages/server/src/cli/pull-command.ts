import cliProgress from 'cli-progress';
import type { PullProgress } from '@llmux/core';
import { cliStore, type ConfigOption } from './cli-context.js';
import { formatBytes } from './format.js';

/** `llmux pull REF`: downloads into the hub cache with a progress bar; Ctrl-C stops, the next pull resumes. */
export async function pullCommand(ref: string, options: ConfigOption): Promise<void> {
  const store = await cliStore(options);
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  const tty = Boolean(process.stderr.isTTY);
  const bar = new cliProgress.SingleBar(
    {
      format: '{file} |{bar}| {percentage}% {done}/{size} {speed}',
      hideCursor: true,
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
  let file: string | undefined;
  let started = Date.now();
  const onProgress = (progress: PullProgress) => {
    if (progress.file !== file) {
      if (file !== undefined && tty) bar.stop();
      file = progress.file;
      started = Date.now();
      if (tty) bar.start(progress.totalBytes, progress.receivedBytes, { file, done: formatBytes(progress.receivedBytes), size: formatBytes(progress.totalBytes), speed: '' });
      else process.stderr.write(`downloading ${file} (${formatBytes(progress.totalBytes)})\n`);
    }
    if (tty) {
      const seconds = (Date.now() - started) / 1000;
      const speed = seconds > 0.5 ? `${formatBytes(progress.receivedBytes / seconds)}/s` : '';
      bar.update(progress.receivedBytes, { done: formatBytes(progress.receivedBytes), speed });
    }
  };
  try {
    process.stderr.write(`pulling ${ref} from ${store.endpoint} into ${store.cacheDir}\n`);
    const location = await store.pull(ref, { signal: controller.signal, onProgress });
    if (tty && file !== undefined) bar.stop();
    process.stdout.write(`pulled ${location.id} (${location.format}) ${location.path}\n`);
  } catch (error) {
    if (tty && file !== undefined) bar.stop();
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
  }
}
