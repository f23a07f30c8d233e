import type { Response } from 'express';
import { OpeningHold } from './opening-hold.js';

/** Server-sent events as OpenAI sends them: `data: <json>\n\n`, ending with `data: [DONE]`. */
export class SseWriter {
  private opening: OpeningHold | undefined;

  constructor(private readonly res: Response) {}

  /** Status and headers; they leave with the first output (see `OpeningHold`). */
  open(): void {
    this.res.status(200);
    this.res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    this.res.setHeader('Cache-Control', 'no-cache');
    this.res.setHeader('Connection', 'keep-alive');
    this.res.setHeader('X-Accel-Buffering', 'no');
    this.opening = new OpeningHold(this.res);
  }

  /** False once the client is gone. */
  get writable(): boolean {
    return !this.res.writableEnded && !this.res.destroyed;
  }

  data(payload: unknown): void {
    this.write(`data: ${JSON.stringify(payload)}\n\n`);
  }

  /** A named event (Anthropic-style streams). */
  event(name: string, payload: unknown): void {
    this.write(`event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`);
  }

  /** A data event of the stream's opening: it waits for the first `data` or `event` (or the hold's timer). */
  openingData(payload: unknown): void {
    if (this.writable) this.res.write(`data: ${JSON.stringify(payload)}\n\n`);
  }

  /** A named event of the stream's opening (see `openingData`). */
  openingEvent(name: string, payload: unknown): void {
    if (this.writable) this.res.write(`event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`);
  }

  done(): void {
    this.opening?.release();
    if (this.writable) this.res.end('data: [DONE]\n\n');
  }

  end(): void {
    this.opening?.release();
    if (this.writable) this.res.end();
  }

  private write(text: string): void {
    if (!this.writable) return;
    this.res.write(text);
    this.opening?.release();
  }
}
