import type { Response } from 'express';
import { OpeningHold } from '../http/opening-hold.js';

/** Newline-delimited JSON, as Ollama streams: one object per line. */
export class NdjsonWriter {
  private opening: OpeningHold | undefined;

  constructor(private readonly res: Response) {}

  /** Status and headers; they leave with the first output (see `OpeningHold`). */
  open(): void {
    this.res.status(200);
    this.res.setHeader('Content-Type', 'application/x-ndjson');
    this.res.setHeader('Cache-Control', 'no-cache');
    this.res.setHeader('X-Accel-Buffering', 'no');
    this.opening = new OpeningHold(this.res);
  }

  get writable(): boolean {
    return !this.res.writableEnded && !this.res.destroyed;
  }

  line(payload: unknown): void {
    if (!this.writable) return;
    this.res.write(`${JSON.stringify(payload)}\n`);
    this.opening?.release();
  }

  end(): void {
    this.opening?.release();
    if (this.writable) this.res.end();
  }
}
