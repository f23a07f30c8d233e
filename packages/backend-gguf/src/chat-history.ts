import type { ChatHistoryItem } from 'node-llama-cpp';
import { messageText, UnsupportedFeatureError, type ChatMessage } from '@llmux/core';

/**
 * Maps llmux messages onto node-llama-cpp's chat history, ending with the empty model
 * response that generation fills. Consecutive system messages stay separate items.
 */
export function toChatHistory(messages: readonly ChatMessage[]): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = [];
  messages.forEach((message, index) => {
    switch (message.role) {
      case 'system':
        history.push({ type: 'system', text: message.content });
        break;
      case 'user':
        if (typeof message.content !== 'string' && message.content.some((part) => part.type === 'image')) {
          throw new UnsupportedFeatureError('This model has no vision support: remove the image_url content parts.', {
            param: `messages[${index}].content`,
          });
        }
        history.push({ type: 'user', text: messageText(message.content) });
        break;
      case 'assistant':
        history.push({ type: 'model', response: message.content ? [message.content] : [] });
        break;
      case 'tool':
        // Without tool support in this path, a tool result is shown to the model as user text.
        history.push({ type: 'user', text: message.content });
        break;
    }
  });
  history.push({ type: 'model', response: [] });
  return history;
}
