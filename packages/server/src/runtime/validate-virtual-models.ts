import { ConfigError, LlmuxError, type LlmuxConfig, type Registry, type Router } from '@llmux/core';
import { CascadeRouter, findCandidate } from '@llmux/router';

/**
 * Checks `router.virtual` at start-up, so a typo fails the start and not a request: the strategy
 * exists, every target names a configured model or alias, no virtual name hides a model, and a
 * cascade's checks are known ones.
 */
export function validateVirtualModels(config: LlmuxConfig, routers: Registry<Router>): void {
  const candidates = Object.entries(config.models).map(([id, model]) => ({ id, aliases: model.aliases }));
  for (const [name, virtual] of Object.entries(config.router.virtual)) {
    const where = `router.virtual.${name}`;
    if (candidates.some((c) => c.id === name || c.aliases.includes(name))) {
      throw new ConfigError(`${where}: '${name}' is already a model id or alias; pick another name for the virtual model.`);
    }
    if (!routers.has(virtual.strategy)) {
      throw new ConfigError(`${where}.strategy: no strategy '${virtual.strategy}'. Known: ${routers.ids().join(', ')}.`);
    }
    virtual.targets.forEach((target, index) => {
      if (!findCandidate(target.model, candidates)) {
        throw new ConfigError(`${where}.targets[${index}]: '${target.model}' is not a configured model or alias.`);
      }
    });
    try {
      if (virtual.strategy === 'cascade') CascadeRouter.checksFrom(virtual.options);
    } catch (error) {
      const message = error instanceof LlmuxError ? error.message : String(error);
      throw new ConfigError(`${where}: ${message}`, { cause: error });
    }
  }
}
