import type { LlamaModel, Token } from 'node-llama-cpp';

/** How many tokens a single UTF-8 character can span with byte-level vocabularies. */
const MAX_PENDING = 4;
/** Earlier tokens passed as context: enough for a tokenizer's spacing rules. */
const CONTEXT = 16;

/**
 * Turns tokens into text one at a time without splitting a UTF-8 character: while the text of
 * the pending tokens ends in a replacement character (an incomplete byte sequence), it waits
 * for the next token. Earlier tokens are passed as context so spacing matches a whole decode.
 */
export class TokenDetokenizer {
  private readonly pending: Token[] = [];
  private readonly previous: Token[];

  /** `before`: the tokens the text follows (the prompt), so the first token is spaced right. */
  constructor(
    private readonly model: LlamaModel,
    before: readonly Token[] = [],
  ) {
    this.previous = before.slice(-CONTEXT);
  }

  push(token: Token): string {
    this.pending.push(token);
    const text = this.model.detokenize(this.pending, false, this.previous);
    if (text.endsWith('\uFFFD') && this.pending.length < MAX_PENDING) return '';
    this.previous.push(...this.pending);
    if (this.previous.length > CONTEXT) this.previous.splice(0, this.previous.length - CONTEXT);
    this.pending.length = 0;
    return text;
  }
}
