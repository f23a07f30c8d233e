import type { ChatRequest } from '../types/request.js';

/** A model a request could go to. */
export interface RouteCandidate {
  /** Configured model id. */
  id: string;
  aliases: readonly string[];
  /** Context length per sequence, when the model is loaded (or known from config). */
  contextLength?: number;
}

/** One member of a virtual model's pool. */
export interface RouteTarget {
  /** A configured model id or alias. */
  model: string;
  /** Relative share for `weighted` (default 1). */
  weight?: number;
  /** The task this target serves for `task` routing (`code`, `math`, `default`, ...). */
  task?: string;
}

/** A virtual model name (e.g. `auto`, `fast`) and what config says about it. */
export interface RoutePool {
  name: string;
  targets: readonly RouteTarget[];
  /** Strategy-specific options from config. */
  options: Readonly<Record<string, unknown>>;
}

/** What a router sees of the running system when it decides. */
export interface RouterState {
  /** Ids of the models in memory now. */
  loaded: ReadonlySet<string>;
  /** Requests active + queued per model id. */
  queueDepth(modelId: string): number;
  /** Recent request latency (exponentially weighted mean, ms); undefined before the first request. */
  latencyMs?(modelId: string): number | undefined;
  /** False while a target is cooling down after repeated failures. */
  available?(modelId: string): boolean;
}

/** How the server tries a decision's targets. */
export type RouteMode =
  /** The first target that admits the request serves it; the next ones are fallbacks for failures before the first byte. */
  | 'fallback'
  /** Each target answers in full until one passes the checks (small model first, escalate on failure). */
  | 'cascade';

export interface RouteDecision {
  /** Model ids to try, in order. */
  targets: string[];
  /** Which strategy decided. */
  strategy: string;
  /** Why, in a few words (shown in `x-llmux-route-reason`). */
  reason: string;
  /** Default `fallback`. */
  mode?: RouteMode;
  /** For `task` routing: the task the request was classified as. */
  task?: string;
  /** For `cascade`: what makes an answer fail its check. */
  escalateOn?: readonly CascadeCheck[];
}

/** Checks an answer must pass in a cascade before it is returned. */
export type CascadeCheck = 'length' | 'invalid_json' | 'schema' | 'empty';

/** The request as the router sees it: the name the client asked for plus the normalized request. */
export interface RouteRequest {
  /** The `model` field as the client sent it (an id, an alias or a virtual name). */
  requestedModel: string;
  request?: Omit<ChatRequest, 'model'>;
  /** Set when the requested name is a virtual model. */
  pool?: RoutePool;
  /** Facts the server computed before routing because they need I/O (routers do none). */
  hints?: RouteHints;
}

/** Facts computed before routing. */
export interface RouteHints {
  /** For `task` routing with an embedding model: the configured example closest to the request. */
  nearestExample?: { task: string; example: string; similarity: number };
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
