import type { ChatRequest } from '../types/request.js';

/** A model a request could go to. */
export interface RouteCandidate {
  /** Configured model id. */
  id: string;
  aliases: readonly string[];
  contextLength?: number;
}

/** What a router sees of the running system when it decides. */
export interface RouterState {
  /** Ids of the models in memory now. */
  loaded: ReadonlySet<string>;
  /** Requests active + queued per model id. */
  queueDepth(modelId: string): number;
}

export interface RouteDecision {
  /** Model ids to try, in order; the first that admits the request serves it. */
  targets: string[];
  /** Which strategy decided. */
  strategy: string;
  /** Why, in a few words (shown in `x-llmux-route-reason`). */
  reason: string;
}

/** The request as the router sees it: the name the client asked for plus the normalized request. */
export interface RouteRequest {
  /** The `model` field as the client sent it (an id, an alias or a virtual name). */
  requestedModel: string;
  request?: Omit<ChatRequest, 'model'>;
}

/**
 * Picks where a request runs. Pure and fast: no I/O, no awaits on engines.
 * Throws `ModelNotFoundError` when nothing matches.
 */
export interface Router {
  readonly specificationVersion: 'v1';
  readonly id: string;
  route(request: RouteRequest, candidates: readonly RouteCandidate[], state: RouterState): RouteDecision;
}
