import type { ModelManager } from '@llmux/core';

/**
 * The name to route for an Ollama model name. Ollama names carry a tag (`stories:latest`);
 * llmux ids and aliases usually do not, so `:latest` is dropped unless the full name is known.
 */
export function routedName(manager: ModelManager, name: string): string {
  if (manager.idFor(name) !== undefined || !name.endsWith(':latest')) return name;
  return name.slice(0, -':latest'.length);
}

/** A model id as Ollama lists it: with a tag. */
export function taggedName(id: string): string {
  return /:[\w.-]+$/.test(id) ? id : `${id}:latest`;
}
