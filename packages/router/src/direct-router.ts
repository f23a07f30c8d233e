import type { RouteCandidate, RouteDecision, RouteRequest, Router } from '@llmux/core';
import { findCandidate, requireCandidate } from './resolve-name.js';

export interface DirectRouterOptions {
  /** Per-model fallback chains from config (`router.fallbacks`), keyed by id or alias. */
  fallbacks?: Readonly<Record<string, readonly string[]>>;
}

/**
 * Sends a request to the model it names: a configured id first, then an alias (exact, then
 * ignoring case). Configured fallbacks follow it, tried when it fails before the first byte.
 * For a virtual model it tries the pool's targets in order.
 */
export class DirectRouter implements Router {
  readonly specificationVersion = 'v1' as const;
  readonly id = 'direct';

  constructor(private readonly options: DirectRouterOptions = {}) {}

  route(request: RouteRequest, candidates: readonly RouteCandidate[]): RouteDecision {
    const name = request.requestedModel;
    const match = requireCandidate(request.pool?.targets[0]?.model ?? name, candidates);
    const how = match.id === name ? 'a model id' : request.pool ? `the first target of '${name}'` : `an alias of '${match.id}'`;
    const targets = [match.id];
    const chain = [
      ...(request.pool?.targets.slice(1).map((t) => t.model) ?? []),
      ...(this.options.fallbacks?.[match.id] ?? this.options.fallbacks?.[name] ?? []),
    ];
    for (const fallback of chain) {
      const id = findCandidate(fallback, candidates)?.id;
      if (id && !targets.includes(id)) targets.push(id);
    }
    const reason = `'${name}' is ${how}${targets.length > 1 ? `; fallbacks: ${targets.slice(1).join(', ')}` : ''}`;
    return { targets, strategy: this.id, reason, mode: 'fallback' };
  }
}
