import type { RouterState } from '@llmux/core';

/**
 * Orders a pool so that available targets come first (a target cooling down after failures is
 * tried only when nothing else is left), keeping the given order otherwise.
 */
export function availableFirst(ids: readonly string[], state: RouterState): string[] {
  if (!state.available) return [...ids];
  const up = ids.filter((id) => state.available!(id));
  const down = ids.filter((id) => !state.available!(id));
  return [...up, ...down];
}

/** `ids` rotated so that `first` leads and the rest keep their cyclic order. */
export function rotateTo(ids: readonly string[], first: number): string[] {
  return [...ids.slice(first), ...ids.slice(0, first)];
}
