export type { Backend, BackendCapabilities, BackendLoadOptions, LoadProgress } from './backend.js';
export type { LoadedModel, LoadedModelStats, PromptCacheStats, StreamOptions, EmbedResult } from './loaded-model.js';
export type {
  Router,
  RouteCandidate,
  RouteDecision,
  RouteRequest,
  RouteHints,
  RouterState,
  RouteTarget,
  RoutePool,
  RouteMode,
  CascadeCheck,
} from './router.js';
export type { ModelStore, ModelInfo, PullProgress } from './model-store.js';
