import { ModelNotFoundError, type RouteCandidate, type RouteDecision, type RouteRequest, type Router } from '@llmux/core';

/**
 * Sends a request to the model it names: a configured id first, then an alias.
 * Names are matched exactly, then case-insensitively.
 */
export class DirectRouter implements Router {
  readonly specificationVersion = 'v1' as const;
  readonly id = 'direct';

  route(request: RouteRequest, candidates: readonly RouteCandidate[]): RouteDecision {
    const name = request.requestedModel;
    const match =
      candidates.find((c) => c.id === name) ??
      candidates.find((c) => c.aliases.includes(name)) ??
      findIgnoringCase(name, candidates);
    if (!match) throw new ModelNotFoundError(name, candidates.map((c) => c.id));
    const how = match.id === name ? 'model id' : `alias of '${match.id}'`;
    return { targets: [match.id], strategy: this.id, reason: `'${name}' is a ${how}` };
  }
}

function findIgnoringCase(name: string, candidates: readonly RouteCandidate[]): RouteCandidate | undefined {
  const lower = name.toLowerCase();
  return (
    candidates.find((c) => c.id.toLowerCase() === lower) ??
    candidates.find((c) => c.aliases.some((alias) => alias.toLowerCase() === lower))
  );
}
