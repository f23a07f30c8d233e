import { Router as ExpressRouter } from 'express';
import { ModelNotFoundError } from '@llmux/core';
import type { Runtime } from '../runtime/runtime.js';

/** `GET /v1/models` and `GET /v1/models/{id}` (an id or an alias; ids may contain `/`). */
export function modelsRoutes(runtime: Runtime): ExpressRouter {
  const router = ExpressRouter();
  const created = Math.floor(runtime.startedAt.getTime() / 1000);
  const describe = (id: string, aliases: readonly string[]) => ({
    id,
    object: 'model' as const,
    created,
    owned_by: 'llmux',
    aliases,
    state: runtime.manager.state(id) ?? 'available',
  });

  const describeVirtual = (name: string) => ({
    id: name,
    object: 'model' as const,
    created,
    owned_by: 'llmux',
    virtual: true,
    strategy: runtime.config.router.virtual[name]!.strategy,
    targets: runtime.config.router.virtual[name]!.targets.map((t) => t.model),
  });

  router.get('/v1/models', (_req, res) => {
    const models = runtime.manager.candidates().map((c) => describe(c.id, c.aliases));
    const virtual = Object.keys(runtime.config.router.virtual).map(describeVirtual);
    res.json({ object: 'list', data: [...models, ...virtual] });
  });

  router.get('/v1/models/*id', (req, res) => {
    const name = (req.params as { id: string[] }).id.join('/');
    const candidates = runtime.manager.candidates();
    const match = candidates.find((c) => c.id === name) ?? candidates.find((c) => c.aliases.includes(name));
    if (!match && runtime.config.router.virtual[name]) {
      res.json(describeVirtual(name));
      return;
    }
    if (!match) throw new ModelNotFoundError(name, candidates.map((c) => c.id));
    res.json(describe(match.id, match.aliases));
  });
  return router;
}
