import type { Usage } from './usage.js';

/** Why a generation ended. */
export type FinishReason = 'stop' | 'length' | 'tool-calls' | 'abort' | 'error';

export interface TextDeltaPart {
  type: 'text-delta';
  text: string;
}

export interface ReasoningDeltaPart {
  type: 'reasoning-delta';
  text: string;
}

export interface ToolCallStartPart {
  type: 'tool-call-start';
  /** Position of this call among the calls of this response (0-based). */
  index: number;
  id: string;
  name: string;
}

export interface ToolCallDeltaPart {
  type: 'tool-call-delta';
  index: number;
  /** A fragment of the arguments' JSON text. */
  argumentsDelta: string;
}

export interface ToolCallEndPart {
  type: 'tool-call-end';
  index: number;
}

export interface TokenLogprob {
  token: string;
  logprob: number;
  bytes: number[];
}

export interface LogprobsPart {
  type: 'logprobs';
  content: Array<TokenLogprob & { topLogprobs: TokenLogprob[] }>;
}

export interface FinishPart {
  type: 'finish';
  reason: FinishReason;
  /** The backend's own reason, for logs and debugging (e.g. `eogToken`, `customStopTrigger`). */
  raw: string;
  usage: Usage;
  /** The stop string (one of the request's `stop`) that ended the generation, when one did. */
  stopSequence?: string;
  /** Set when `reason` is `error`. */
  error?: unknown;
}

/**
 * What a generation streams. Always ends with exactly one `finish` part; text and
 * tool-call parts come before it in generation order.
 */
export type StreamPart =
  | TextDeltaPart
  | ReasoningDeltaPart
  | ToolCallStartPart
  | ToolCallDeltaPart
  | ToolCallEndPart
  | LogprobsPart
  | FinishPart;
