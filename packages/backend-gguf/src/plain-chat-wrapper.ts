import { ChatWrapper, LlamaText, SpecialToken, type ChatWrapperGenerateContextStateOptions, type ChatWrapperGeneratedContextState } from 'node-llama-cpp';

/**
 * The fallback for models whose GGUF has no chat template (base models such as stories260K):
 * the messages' texts joined by blank lines, no role markers, and the model continues the
 * last one. So `"Once upon a time"` gets a story, as a base model expects.
 */
export class PlainChatWrapper extends ChatWrapper {
  override readonly wrapperName = 'Plain';

  override generateContextState({ chatHistory }: ChatWrapperGenerateContextStateOptions): ChatWrapperGeneratedContextState {
    const texts: LlamaText[] = [];
    for (const item of chatHistory) {
      if (item.type === 'system') texts.push(LlamaText.fromJSON(item.text));
      else if (item.type === 'user') texts.push(LlamaText(item.text));
      else texts.push(this.generateModelResponseText(item.response));
    }
    // The last item is the (empty or partial) model response being generated: it follows the
    // previous text directly, so the model continues it.
    const last = texts.pop() ?? LlamaText([]);
    const before = texts.filter((text) => text.values.length > 0);
    const separator = before.length > 1 ? LlamaText.joinValues('\n\n', before) : (before[0] ?? LlamaText([]));
    return {
      contextText: LlamaText(new SpecialToken('BOS'), separator, last),
      stopGenerationTriggers: [LlamaText(new SpecialToken('EOS'))],
    };
  }
}
