import type { Response } from 'express';

/**
 * How long a stream's opening (status, headers and the events written with them) may wait for the
 * model's first output. A prompt that takes longer still gets its headers after this long.
 */
export const OPENING_HOLD_MS = 50;

/**
 * Holds a streamed response's opening until its first output, so that both leave in one write.
 *
 * A stream's opening (the headers, then events such as the role chunk) is known at once; the model's
 * first token comes later. Sent apart, they cost two writes and two wake-ups of the client before the
 * first token; held, the first token carries them. The socket stays corked until `release()`: the
 * writers call it after their first write that is not part of the opening, and the timer after
 * `holdMs`.
 */
export class OpeningHold {
  private held = true;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly res: Response, holdMs = OPENING_HOLD_MS) {
    res.cork();
    this.timer = setTimeout(() => this.release(), holdMs);
    res.once('close', () => this.release());
  }

  /** Sends what is held (headers included, even when nothing was written). Idempotent. */
  release(): void {
    if (!this.held) return;
    this.held = false;
    clearTimeout(this.timer);
    if (this.res.destroyed) return;
    if (!this.res.headersSent) this.res.flushHeaders();
    this.res.uncork();
  }
}
