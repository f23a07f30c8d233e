/** A text part of a message's content. */
export interface TextContentPart {
  type: 'text';
  text: string;
}

/** An image part; backends without vision reject requests that carry one. */
export interface ImageContentPart {
  type: 'image';
  /** A URL or a `data:` URL, as the client sent it. */
  url: string;
}

export type ContentPart = TextContentPart | ImageContentPart;

/** A tool call the assistant made in an earlier turn. */
export interface ToolCall {
  id: string;
  name: string;
  /** The arguments as the JSON text the model produced. */
  arguments: string;
}

export interface SystemMessage {
  role: 'system';
  content: string;
}

export interface UserMessage {
  role: 'user';
  content: string | ContentPart[];
}

export interface AssistantMessage {
  role: 'assistant';
  content: string;
  toolCalls?: ToolCall[];
}

export interface ToolMessage {
  role: 'tool';
  toolCallId: string;
  content: string;
}

/** llmux's normalized chat message: wire formats (OpenAI, Ollama, Anthropic) map onto it. */
export type ChatMessage = SystemMessage | UserMessage | AssistantMessage | ToolMessage;

/** The plain text of a message's content (image parts are dropped). */
export function messageText(content: string | ContentPart[]): string {
  if (typeof content === 'string') return content;
  return content
    .filter((part): part is TextContentPart => part.type === 'text')
    .map((part) => part.text)
    .join('');
}
