import type { Response } from 'express';

/** Newline-delimited JSON, as Ollama streams: one object per line. */
export class NdjsonWriter {
  constructor(private readonly res: Response) {}

  open(): void {
    this.res.status(200);
    this.res.setHeader('Content-Type', 'application/x-ndjson');
    this.res.setHeader('Cache-Control', 'no-cache');
    this.res.setHeader('X-Accel-Buffering', 'no');
    this.res.flushHeaders();
  }

  get writable(): boolean {
    return !this.res.writableEnded && !this.res.destroyed;
  }

  line(payload: unknown): void {
    if (this.writable) this.res.write(`${JSON.stringify(payload)}\n`);
  }

  end(): void {
    if (this.writable) this.res.end();
  }
}
