import { cliStore, type ConfigOption } from './cli-context.js';
import { formatBytes, formatTable } from './format.js';

/** `llmux list`: every model of the store (configured, in the hub cache) with facts from its files. */
export async function listCommand(options: ConfigOption & { json?: boolean }): Promise<void> {
  const store = await cliStore(options);
  const models = await store.list();
  if (options.json) {
    process.stdout.write(`${JSON.stringify(models, null, 2)}\n`);
    return;
  }
  if (models.length === 0) {
    process.stdout.write(`No models. Pull one with 'llmux pull org/repo:QUANT' (cache: ${store.cacheDir}).\n`);
    return;
  }
  const rows = models.map((m) => [
    m.id,
    m.format,
    m.quantization ?? '-',
    m.architecture ?? '-',
    m.contextLength !== undefined ? String(m.contextLength) : '-',
    formatBytes(m.sizeBytes),
    m.aliases.join(', '),
  ]);
  process.stdout.write(`${formatTable(['MODEL', 'FORMAT', 'QUANT', 'ARCH', 'CONTEXT', 'SIZE', 'ALIASES'], rows)}\n`);
}
