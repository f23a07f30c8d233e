/** Token accounting for one generation. */
export interface Usage {
  /** All prompt tokens, including those served from the cache. */
  promptTokens: number;
  /** How many of `promptTokens` were reused from a cached prefix rather than evaluated. */
  cachedPromptTokens: number;
  completionTokens: number;
}
