/**
 * What the prompt cache weighs, measured on this model and machine as it runs: how long the model takes to
 * evaluate a prompt token, how long saving or loading a sequence's state takes for its size, and how often a saved
 * state has been used again. A state is brought back only when evaluating the tokens it saves would take longer than
 * loading it; it is saved only when what evaluating it again would cost, times the share of saved states used again,
 * is more than saving it (one-off prompts are never asked for again: then only states that are dear to evaluate are
 * kept). Until something is measured, the estimates below are used (a prompt token of a small model on a CPU; a state
 * file in the page cache; one saved state in four used again).
 */
export class PromptCacheCosts {
  private saves = 0;
  private loads = 0;
  /** Milliseconds to evaluate one prompt token, in batches. */
  private evalMsPerToken = 0.5;
  /** Milliseconds a state operation takes whatever its size. */
  private fixedMs = 0.5;
  /** Milliseconds per byte of state beyond that. */
  private msPerByte = 1 / (2 * 1024 * 1024);
  /** Bytes of state per cached token, learnt from the states saved. */
  private bytesPerToken: number | undefined;

  /** A prompt's evaluation: `tokens` new tokens in `ms`. */
  notePrefill(tokens: number, ms: number): void {
    if (tokens < 4 || !(ms > 0)) return;
    this.evalMsPerToken = ema(this.evalMsPerToken, ms / tokens);
  }

  /** A state saved or loaded: `bytes` of it holding `tokens` tokens, in `ms`. */
  noteState(bytes: number, tokens: number, ms: number): void {
    if (!(ms > 0) || bytes <= 0) return;
    if (tokens > 0) this.bytesPerToken = this.bytesPerToken === undefined ? bytes / tokens : ema(this.bytesPerToken, bytes / tokens);
    const small = 256 * 1024;
    if (bytes <= small) this.fixedMs = ema(this.fixedMs, ms);
    else this.msPerByte = ema(this.msPerByte, Math.max(0, ms - this.fixedMs) / bytes);
  }

  /** The time to save or load a state of `bytes` (or of `tokens` tokens when its size is not known yet). */
  stateMs(size: { bytes?: number; tokens?: number }): number {
    const bytes = size.bytes ?? (size.tokens ?? 0) * (this.bytesPerToken ?? 0);
    return this.fixedMs + bytes * this.msPerByte;
  }

  /** The time to evaluate `tokens` prompt tokens. */
  evalMs(tokens: number): number {
    return tokens * this.evalMsPerToken;
  }

  noteSaved(): void {
    this.saves++;
  }

  noteLoaded(): void {
    this.loads++;
  }

  /** The share of saved states used again, as seen so far (one in four assumed before anything is seen). */
  get reuse(): number {
    return Math.min(1, (this.loads + 1) / (this.saves + 4));
  }
}

function ema(previous: number, sample: number): number {
  return previous * 0.7 + sample * 0.3;
}
