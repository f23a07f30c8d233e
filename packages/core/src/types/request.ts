import type { ChatMessage } from './message.js';

/** Sampling options, with OpenAI's meaning; an absent field means the model's default, then OpenAI's. */
export interface SamplingOptions {
  /** 0 means greedy. OpenAI default: 1. */
  temperature?: number;
  /** Nucleus sampling; 1 disables. OpenAI default: 1. */
  topP?: number;
  /** Keep only the K most likely tokens; 0 disables. Not an OpenAI field (Ollama/Anthropic have it). */
  topK?: number;
  /** Minimum probability relative to the top token; 0 disables. */
  minP?: number;
  /** OpenAI presence penalty, -2..2. */
  presencePenalty?: number;
  /** OpenAI frequency penalty, -2..2. */
  frequencyPenalty?: number;
  /** Multiplicative repeat penalty (llama.cpp / Ollama style); 1 disables. */
  repeatPenalty?: number;
  /** Same seed + same request gives the same text. */
  seed?: number;
  /** Token id -> bias (-100..100) added to its logit. */
  logitBias?: Record<number, number>;
}

/** A function the model may call. */
export interface ToolDefinition {
  name: string;
  description?: string;
  /** JSON Schema of the arguments object. */
  parameters?: Record<string, unknown>;
}

export type ToolChoice = 'auto' | 'none' | 'required' | { name: string };

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; name: string; schema: Record<string, unknown>; strict?: boolean };

/** llmux's normalized chat request. Backends see only this, never a wire format. */
export interface ChatRequest {
  /** The model id as resolved by the router (a configured model id, not an alias). */
  model: string;
  messages: ChatMessage[];
  sampling: SamplingOptions;
  /** Most tokens to generate; absent = until the context is full. */
  maxTokens?: number;
  /** Up to 4 stop strings; the stop text is not part of the output. */
  stop?: string[];
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  parallelToolCalls?: boolean;
  responseFormat?: ResponseFormat;
  /** Return logprobs of the chosen tokens, with this many alternatives each (0-20). */
  logprobs?: { top: number };
  /** An opaque end-user id, for logs. */
  user?: string;
}

/** A raw text completion request (OpenAI's legacy `/v1/completions`). */
export interface CompletionRequest {
  /** The model id as resolved by the router. */
  model: string;
  /** The text to continue, sent as is (no chat template). */
  prompt: string;
  /** Text that follows the completion: fill-in-the-middle, for models with infill tokens. */
  suffix?: string;
  sampling: SamplingOptions;
  /** Most tokens to generate; absent = until the context is full. */
  maxTokens?: number;
  /** Up to 4 stop strings; the stop text is not part of the output. */
  stop?: string[];
  /** Return logprobs of the chosen tokens, with this many alternatives each. */
  logprobs?: { top: number };
  /** An opaque end-user id, for logs. */
  user?: string;
}
