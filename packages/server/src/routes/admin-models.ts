import { Router as ExpressRouter } from 'express';
import { z } from 'zod';
import { InvalidRequestError, ModelNotFoundError } from '@llmux/core';
import { validateBody } from '../http/validate-body.js';
import type { Runtime } from '../runtime/runtime.js';
import { toAdminFiles, toAdminModel } from './admin-shapes.js';

const modelIdBody = z.object({ model_id: z.string().min(1, 'give the model id, an alias or a store reference') });
const pinBody = modelIdBody.extend({ pinned: z.boolean({ error: 'give pinned: true or false' }) });

/**
 * `GET /admin/models`, `POST /admin/models/load`, `POST /admin/models/unload`, `POST /admin/models/pin`,
 * `DELETE /admin/models/{id}`.
 */
export function adminModelsRoutes(runtime: Runtime): ExpressRouter {
  const router = ExpressRouter();

  router.get('/admin/models', async (_req, res) => {
    const files = await runtime.store.list();
    runtime.manager.addStoreModels(files);
    const byId = new Map(files.map((info) => [info.id, info]));
    const data = runtime.manager.snapshot().map((model) => {
      const info = byId.get(model.id);
      const memory = runtime.manager.peek(model.id)?.memory;
      return {
        ...toAdminModel(model),
        ...toAdminFiles(info),
        backend: runtime.manager.modelConfig(model.id)?.backend ?? info?.format ?? null,
        memory_used_bytes: memory ? memory.cpuBytes + memory.gpuBytes : null,
      };
    });
    res.json({ object: 'list', data });
  });

  router.post('/admin/models/load', async (req, res) => {
    const { model_id } = validateBody(modelIdBody, req.body);
    const started = performance.now();
    const model = await runtime.manager.load(model_id);
    const snapshot = runtime.manager.snapshot().find((m) => m.id === model.id);
    res.json({ ...(snapshot ? toAdminModel(snapshot) : { id: model.id, state: 'loaded' }), load_ms: Math.round(performance.now() - started) });
  });

  router.post('/admin/models/unload', async (req, res) => {
    const { model_id } = validateBody(modelIdBody, req.body);
    const id = runtime.manager.idFor(model_id);
    if (!id) throw new ModelNotFoundError(model_id, runtime.manager.candidates().map((c) => c.id));
    const wasLoaded = runtime.manager.state(id) === 'loaded';
    await runtime.manager.unload(id);
    res.json({ id, state: runtime.manager.state(id), unloaded: wasLoaded });
  });

  router.post('/admin/models/pin', (req, res) => {
    const { model_id, pinned } = validateBody(pinBody, req.body);
    const id = runtime.manager.setPinned(model_id, pinned);
    const snapshot = runtime.manager.snapshot().find((m) => m.id === id)!;
    res.json(toAdminModel(snapshot));
  });

  router.delete('/admin/models/*id', async (req, res) => {
    const name = (req.params as { id: string[] }).id.join('/');
    const store = runtime.store;
    if (!store.remove) throw new InvalidRequestError(`The model store '${store.id}' cannot delete models.`);
    const id = runtime.manager.idFor(name) ?? name;
    if (runtime.manager.modelConfig(id) && !runtime.manager.modelConfig(id)!.source.startsWith('hf:')) {
      throw new InvalidRequestError(`'${id}' is a model file named in config; llmux does not delete it. Remove it from the config instead.`, { param: 'id' });
    }
    if (runtime.manager.state(id) !== undefined) await runtime.manager.unload(id);
    await store.remove(name);
    await runtime.manager.removeStoreModel(id);
    res.json({ id, object: 'model', deleted: true });
  });
  return router;
}
