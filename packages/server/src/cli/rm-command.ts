import { cliStore, type ConfigOption } from './cli-context.js';

/** `llmux rm REF...`: deletes pulled models from the hub cache (files other models share stay). */
export async function rmCommand(refs: string[], options: ConfigOption): Promise<void> {
  const store = await cliStore(options);
  for (const ref of refs) {
    await store.remove(ref);
    process.stdout.write(`deleted ${ref}\n`);
  }
}
