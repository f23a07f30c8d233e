/**
 * Holds generated text back while it could still be the start of a stop string, so the stop
 * text itself is never sent: `push` returns what is safe to send now; `stopped` says a stop
 * string was met (the text before it has been returned) and `matched` which one.
 */
export class TextStops {
  private held = '';
  stopped = false;
  matched: string | undefined;

  constructor(private readonly stops: readonly string[]) {}

  push(text: string): string {
    if (this.stopped) return '';
    this.held += text;
    let cut = -1;
    for (const stop of this.stops) {
      const at = this.held.indexOf(stop);
      if (at !== -1 && (cut === -1 || at < cut)) {
        cut = at;
        this.matched = stop;
      }
    }
    if (cut !== -1) {
      this.stopped = true;
      const out = this.held.slice(0, cut);
      this.held = '';
      return out;
    }
    const keep = this.partialStopLength();
    const out = this.held.slice(0, this.held.length - keep);
    this.held = this.held.slice(this.held.length - keep);
    return out;
  }

  /** What is still held when generation ends for another reason. */
  flush(): string {
    const out = this.held;
    this.held = '';
    return out;
  }

  /** The longest tail of the held text that is a proper prefix of some stop string. */
  private partialStopLength(): number {
    let longest = 0;
    for (const stop of this.stops) {
      for (let length = Math.min(stop.length - 1, this.held.length); length > longest; length--) {
        if (stop.startsWith(this.held.slice(this.held.length - length))) {
          longest = length;
          break;
        }
      }
    }
    return longest;
  }
}
