import type { Response } from 'express';
import type { Dispatched } from '../runtime/dispatch.js';

/** The decision's reason with what happened on the way (fallbacks, escalations). */
export function routeReason(dispatched: Pick<Dispatched, 'decision' | 'trail'>): string {
  return [dispatched.decision.reason, ...dispatched.trail].join('; ');
}

/**
 * `x-llmux-model` (the model that answered), `x-llmux-route` (the strategy) and
 * `x-llmux-route-reason`. Header values must be Latin-1: anything else becomes `?`.
 */
export function setRouteHeaders(res: Response, dispatched: Pick<Dispatched, 'model' | 'decision' | 'trail'>): void {
  res.setHeader('x-llmux-model', dispatched.model);
  res.setHeader('x-llmux-route', dispatched.decision.strategy);
  res.setHeader('x-llmux-route-reason', routeReason(dispatched).replace(/[^\x20-\x7e]/g, '?').slice(0, 512));
}
