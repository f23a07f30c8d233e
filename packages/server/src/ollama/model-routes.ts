import { Router as ExpressRouter, type Request, type Response } from 'express';
import { InvalidRequestError, ModelNotFoundError, UnsupportedFeatureError, toLlmuxError } from '@llmux/core';
import { validateBody } from '../http/validate-body.js';
import type { Runtime } from '../runtime/runtime.js';
import { trackRequest } from '../routes/track-request.js';
import type { PullEvent } from '../runtime/model-pulls.js';
import { listOllamaModels, type OllamaModelEntry } from './model-listing.js';
import { routedName, taggedName } from './model-name.js';
import { modelNameSchema, pullRequestSchema } from './ollama-request-schemas.js';
import { NdjsonWriter } from './ndjson-writer.js';
import { toOllamaError } from './ollama-error.js';

/** The Ollama version whose API these routes follow; clients gate features on it. */
export const OLLAMA_API_VERSION = '0.6.4';

/** Ollama's model management: tags, show, ps, pull, delete, version. */
export function ollamaModelRoutes(runtime: Runtime): ExpressRouter {
  const router = ExpressRouter();
  router.get('/api/version', (_req, res) => {
    res.json({ version: OLLAMA_API_VERSION });
  });
  router.get('/api/tags', async (_req, res) => {
    res.json({ models: (await listOllamaModels(runtime)).map(({ model_info: _info, ...entry }) => entry) });
  });
  router.get('/api/ps', async (_req, res) => {
    const entries = new Map((await listOllamaModels(runtime)).map((entry) => [entry.name, entry]));
    const models = runtime.manager
      .snapshot()
      .filter((model) => model.state === 'loaded')
      .map((model) => {
        const entry = entries.get(taggedName(model.id));
        const loaded = runtime.manager.peek(model.id);
        const { model_info: _info, ...listed } = entry ?? emptyEntry(model.id);
        return {
          ...listed,
          size: model.memoryBytes,
          size_vram: loaded?.memory.gpuBytes ?? 0,
          context_length: loaded?.capabilities.contextLength ?? 0,
          // Go's zero time when the model does not expire (no TTL, pinned, or busy now).
          expires_at: model.expiresAt !== undefined ? new Date(model.expiresAt).toISOString() : '0001-01-01T00:00:00Z',
        };
      });
    res.json({ models });
  });
  router.post('/api/show', async (req, res) => {
    const body = validateBody(modelNameSchema, req.body);
    const name = (body.model ?? body.name)!;
    const routed = routedName(runtime.manager, name);
    const id = runtime.manager.idFor(routed) ?? routed;
    const entry = (await listOllamaModels(runtime)).find((candidate) => candidate.name === taggedName(id));
    if (!entry) throw new ModelNotFoundError(name, runtime.manager.candidates().map((c) => c.id));
    const loaded = runtime.manager.peek(id);
    const capabilities = ['completion'];
    if (loaded?.capabilities.tools) capabilities.push('tools');
    if (loaded?.capabilities.vision) capabilities.push('vision');
    if (loaded?.capabilities.embeddings) capabilities.push('embedding');
    res.json({
      modelfile: '',
      parameters: '',
      template: '',
      details: entry.details,
      model_info: entry.model_info,
      capabilities,
      modified_at: entry.modified_at,
    });
  });
  router.post('/api/pull', pullHandler(runtime));
  router.delete('/api/delete', async (req, res) => {
    const body = validateBody(modelNameSchema, req.body);
    const name = routedName(runtime.manager, (body.model ?? body.name)!);
    const store = runtime.store;
    if (!store.remove) throw new UnsupportedFeatureError(`The model store '${store.id}' cannot delete models.`);
    const id = runtime.manager.idFor(name);
    if (!id) throw new ModelNotFoundError(name, runtime.manager.candidates().map((c) => c.id));
    const configured = runtime.manager.modelConfig(id);
    if (configured && !configured.source.startsWith('hf:')) {
      throw new InvalidRequestError(`'${id}' is a model file named in config; llmux does not delete it. Remove it from the config instead.`, { param: 'model' });
    }
    await runtime.manager.unload(id);
    await store.remove(name);
    await runtime.manager.removeStoreModel(id);
    res.status(200).end();
  });
  return router;
}

function emptyEntry(id: string): OllamaModelEntry {
  const name = taggedName(id);
  return {
    name,
    model: name,
    modified_at: new Date(0).toISOString(),
    size: 0,
    digest: '',
    model_info: {},
    details: { parent_model: '', format: '', family: '', families: null, parameter_size: '', quantization_level: '' },
  };
}

/**
 * `POST /api/pull`: downloads through the model store (one download per reference, however many
 * clients ask), with Ollama's NDJSON progress lines; `stream: false` answers once it is done.
 */
function pullHandler(runtime: Runtime) {
  return async (req: Request, res: Response): Promise<void> => {
    const body = validateBody(pullRequestSchema, req.body);
    const ref = stripLatest((body.model ?? body.name)!);
    const tracked = trackRequest(runtime, req, res);
    try {
      if (body.stream === false) {
        await runtime.pulls.pull(ref, tracked.signal);
        res.json({ status: 'success' });
        return;
      }
      const writer = new NdjsonWriter(res);
      const onEvent = (event: PullEvent) => {
        if (event.ref !== ref || event.type !== 'pull_progress') return;
        const { file, totalBytes, receivedBytes } = event.progress;
        writer.line({ status: `pulling ${file}`, digest: file, total: totalBytes, completed: receivedBytes });
      };
      runtime.pulls.on('event', onEvent);
      writer.open();
      writer.line({ status: 'pulling manifest' });
      try {
        await runtime.pulls.pull(ref, tracked.signal);
        // The store checks every file's SHA-256 before it lands in the cache.
        writer.line({ status: 'verifying sha256 digest' });
        writer.line({ status: 'success' });
      } catch (error) {
        req.log?.error({ err: error, ref }, 'pull failed');
        writer.line(toOllamaError(toLlmuxError(error), String(res.locals.requestId)).body);
      } finally {
        runtime.pulls.off('event', onEvent);
      }
      writer.end();
    } finally {
      tracked.end();
    }
  };
}

/** Hub references have no Ollama tag: `org/repo:latest` is `org/repo`. */
function stripLatest(name: string): string {
  return name.endsWith(':latest') ? name.slice(0, -':latest'.length) : name;
}
