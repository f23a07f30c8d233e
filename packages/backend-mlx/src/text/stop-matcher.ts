/**
 * Finds stop strings in streamed text. Text that could be the start of a stop string is held
 * back until it is clear; the stop string itself is never returned.
 */
export class StopMatcher {
  private held = '';
  private readonly longest: number;

  constructor(private readonly stops: readonly string[]) {
    this.longest = stops.reduce((max, stop) => Math.max(max, stop.length), 0);
  }

  /** Adds text; returns what may be emitted and whether a stop string was found. */
  push(text: string): { text: string; stopped: boolean } {
    if (this.longest === 0) return { text, stopped: false };
    this.held += text;
    let first = -1;
    for (const stop of this.stops) {
      if (stop.length === 0) continue;
      const index = this.held.indexOf(stop);
      if (index >= 0 && (first < 0 || index < first)) first = index;
    }
    if (first >= 0) {
      const out = this.held.slice(0, first);
      this.held = '';
      return { text: out, stopped: true };
    }
    const keep = this.heldBackLength();
    const out = this.held.slice(0, this.held.length - keep);
    this.held = this.held.slice(this.held.length - keep);
    return { text: out, stopped: false };
  }

  /** The held text, at the end of a generation that hit no stop string. */
  flush(): string {
    const out = this.held;
    this.held = '';
    return out;
  }

  /** The longest tail of the held text that is a prefix of some stop string. */
  private heldBackLength(): number {
    for (let length = Math.min(this.longest - 1, this.held.length); length > 0; length--) {
      const tail = this.held.slice(this.held.length - length);
      if (this.stops.some((stop) => stop.startsWith(tail))) return length;
    }
    return 0;
  }
}
