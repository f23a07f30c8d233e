export type {
  TextContentPart,
  ImageContentPart,
  ContentPart,
  ToolCall,
  SystemMessage,
  UserMessage,
  AssistantMessage,
  ToolMessage,
  ChatMessage,
} from './message.js';
export { messageText } from './message.js';
export type {
  SamplingOptions,
  ToolDefinition,
  ToolChoice,
  ResponseFormat,
  ChatRequest,
  CompletionRequest,
} from './request.js';
export type { Usage } from './usage.js';
export type {
  FinishReason,
  TextDeltaPart,
  ReasoningDeltaPart,
  ToolCallStartPart,
  ToolCallDeltaPart,
  ToolCallEndPart,
  TokenLogprob,
  LogprobsPart,
  FinishPart,
  StreamPart,
} from './stream-part.js';
export type { ModelFormat, ModelLocation, ModelLoadOptions, ModelCapabilities, MemoryEstimate } from './model.js';
