import type { ChatHistoryItem, ChatModelFunctions, ChatWrapper, LlamaModel, Token } from 'node-llama-cpp';

/**
 * The tokens of a chat history once the chat wrapper has rendered it, with the functions a
 * tool request documents in the prompt: what a generation evaluates.
 */
export function promptTokens(chatWrapper: ChatWrapper, model: LlamaModel, history: ChatHistoryItem[], functions?: ChatModelFunctions): Token[] {
  return chatWrapper
    .generateContextState({ chatHistory: history, ...(functions ? { availableFunctions: functions, documentFunctionParams: true } : {}) })
    .contextText.tokenize(model.tokenizer);
}

/**
 * The request stop string that a `customStopTrigger` stop matched. node-llama-cpp reports the
 * trigger as strings and tokens; the text is compared with the request's stop strings.
 */
export function matchedStopSequence(
  trigger: readonly (string | Token)[],
  stop: readonly string[] | undefined,
  model: LlamaModel,
): string | undefined {
  const text = trigger.map((part) => (typeof part === 'string' ? part : model.detokenize([part]))).join('');
  return stop?.find((candidate) => candidate === text) ?? (text || undefined);
}
