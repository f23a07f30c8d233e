/** A configured model's place in its lifecycle. */
export type ModelState = 'available' | 'loading' | 'loaded' | 'unloading';

/** Published by the ModelManager on every state change (admin events, metrics). */
export interface ModelStateEvent {
  model: string;
  state: ModelState;
  /** Set on a failed load. */
  error?: string;
  /** Load duration, on `loaded`. */
  durationMs?: number;
}
