/**
 * Turns generated token ids into text pieces without ever emitting half a UTF-8 character:
 * while the decoded tail is an incomplete byte sequence (U+FFFD), it waits for more tokens.
 * Each piece is decoded after the previous piece's last token, so tokenizers that strip a
 * leading space at the start of a text (SentencePiece) keep the spaces between pieces.
 */
export class StreamDecoder {
  private anchor: number[] = [];
  private anchorText = '';
  private pending: number[] = [];

  /**
   * `context`: the last prompt token, so the first generated piece keeps the leading space a
   * continuation needs ("because" + " he", not "becausehe").
   */
  constructor(
    private readonly decode: (ids: number[]) => string,
    context?: number,
  ) {
    if (context !== undefined) {
      this.anchor = [context];
      this.anchorText = decode(this.anchor);
    }
  }

  /** Adds a token; returns the text that is now complete ('' when none). */
  push(token: number): string {
    this.pending.push(token);
    const text = this.decode([...this.anchor, ...this.pending]);
    if (text.endsWith('\uFFFD')) return '';
    const piece = text.startsWith(this.anchorText) ? text.slice(this.anchorText.length) : text;
    this.anchor = [this.pending[this.pending.length - 1]!];
    this.anchorText = this.decode(this.anchor);
    this.pending = [];
    return piece;
  }

  /** What is left at the end (an incomplete character is dropped, as its bytes never complete). */
  flush(): string {
    if (this.pending.length === 0) return '';
    const text = this.decode([...this.anchor, ...this.pending]);
    this.pending = [];
    const piece = text.startsWith(this.anchorText) ? text.slice(this.anchorText.length) : text;
    return piece.replace(/\uFFFD+$/, '');
  }
}
