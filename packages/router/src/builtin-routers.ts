import type { Router, RouterConfig } from '@llmux/core';
import { CascadeRouter } from './cascade-router.js';
import { DirectRouter } from './direct-router.js';
import { FallbackRouter } from './fallback-router.js';
import { LeastLoadedRouter } from './least-loaded-router.js';
import { RoundRobinRouter } from './round-robin-router.js';
import { TaskRouter } from './task-router.js';
import { WeightedRouter } from './weighted-router.js';

/** The strategies that ship with llmux, configured from `router` in config. */
export function builtinRouters(config: Pick<RouterConfig, 'fallbacks'>): Router[] {
  return [
    new DirectRouter({ fallbacks: config.fallbacks }),
    new TaskRouter(),
    new LeastLoadedRouter(),
    new RoundRobinRouter(),
    new WeightedRouter(),
    new FallbackRouter(),
    new CascadeRouter(),
  ];
}
