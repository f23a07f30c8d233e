// Measures what the lifecycle adds to a model load: `backend.load` alone (the reference) against
// `ModelManager.load` (store resolve + memory estimate from GGUF metadata + admission + the same load),
// alternating the two, on the bundled models. The first managed load reads the metadata; later ones
// (reloads after an unload) reuse the estimate. Run after `pnpm build`: node bench/model-load-admission.mjs [rounds]
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigModelStore, ModelManager, Registry, parseConfig, silentLogger } from '../packages/core/dist/index.js';
import { GgufBackend } from '../packages/backend-gguf/dist/index.js';

const rounds = Number(process.argv[2] ?? 15);
const models = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../models');
const files = { stories: 'stories260K.gguf', brown: 'brown-llama-1m-Q8_0.gguf' };
const config = parseConfig({ models: Object.fromEntries(Object.entries(files).map(([id, file]) => [id, { source: path.join(models, file) }])) });
const backend = new GgufBackend();
const backends = new Registry('backend');
backends.register(backend);
const manager = new ModelManager({ config, backends, store: new ConfigModelStore(config.models), logger: silentLogger() });

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const time = async (fn) => {
  const start = performance.now();
  await fn();
  return performance.now() - start;
};

// Warm up the engine once so neither side pays for it.
await (await backend.load({ id: 'warm', format: 'gguf', path: path.join(models, files.brown) }, manager.loadOptions('brown'))).unload();

for (const id of Object.keys(files)) {
  const location = { id, format: 'gguf', path: path.join(models, files[id]) };
  const direct = [];
  const managed = [];
  for (let round = 0; round < rounds; round++) {
    let loaded;
    direct.push(await time(async () => (loaded = await backend.load(location, manager.loadOptions(id)))));
    await loaded.unload();
    managed.push(await time(() => manager.load(id)));
    await manager.unload(id);
  }
  const ref = median(direct);
  const first = managed.shift();
  const reload = median(managed);
  console.log(
    `${id}: backend.load median ${ref.toFixed(1)} ms; ModelManager.load first ${first.toFixed(1)} ms (ratio ${(first / ref).toFixed(2)}), ` +
      `reload median ${reload.toFixed(1)} ms (ratio ${(reload / ref).toFixed(2)}); ${rounds} rounds`,
  );
}
await manager.shutdown();
