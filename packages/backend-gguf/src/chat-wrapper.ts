import { resolveChatWrapper, type ChatWrapper, type LlamaModel } from 'node-llama-cpp';
import { PlainChatWrapper } from './plain-chat-wrapper.js';

/**
 * The model's own chat template (a specialized wrapper when node-llama-cpp recognizes the
 * template, its Jinja renderer otherwise); `PlainChatWrapper` when the GGUF has none.
 */
export function chatWrapperFor(model: LlamaModel): ChatWrapper {
  const template = model.fileInfo.metadata.tokenizer?.chat_template;
  if (typeof template !== 'string' || template.trim() === '') return new PlainChatWrapper();
  return resolveChatWrapper(model, { fallbackToOtherWrappersOnJinjaError: true }) ?? new PlainChatWrapper();
}

/**
 * Whether a chat template marks segments (thoughts, comments) that LlamaChat keeps out of the
 * answer's text: such chats are generated through LlamaChat, which parses them.
 */
export function hasSegments(wrapper: ChatWrapper): boolean {
  const segments = wrapper.settings.segments;
  return segments?.thought != null || segments?.comment != null;
}
