import { ModelNotFoundError, type RouteCandidate } from '@llmux/core';

/** The candidate a name means: an id, then an alias, then the same ignoring case. */
export function findCandidate(name: string, candidates: readonly RouteCandidate[]): RouteCandidate | undefined {
  const exact = candidates.find((c) => c.id === name) ?? candidates.find((c) => c.aliases.includes(name));
  if (exact) return exact;
  const lower = name.toLowerCase();
  return (
    candidates.find((c) => c.id.toLowerCase() === lower) ??
    candidates.find((c) => c.aliases.some((alias) => alias.toLowerCase() === lower))
  );
}

/** Like `findCandidate`, but a miss is `ModelNotFoundError` listing the models. */
export function requireCandidate(name: string, candidates: readonly RouteCandidate[]): RouteCandidate {
  const match = findCandidate(name, candidates);
  if (!match) throw new ModelNotFoundError(name, candidates.map((c) => c.id));
  return match;
}

/** Model ids of a pool's targets, in order, without duplicates. */
export function poolIds(targets: readonly { model: string }[], candidates: readonly RouteCandidate[]): string[] {
  const ids: string[] = [];
  for (const target of targets) {
    const id = requireCandidate(target.model, candidates).id;
    if (!ids.includes(id)) ids.push(id);
  }
  return ids;
}
