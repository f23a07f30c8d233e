import type { Response } from 'express';

/** Server-sent events as OpenAI sends them: `data: <json>\n\n`, ending with `data: [DONE]`. */
export class SseWriter {
  constructor(private readonly res: Response) {}

  open(): void {
    this.res.status(200);
    this.res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    this.res.setHeader('Cache-Control', 'no-cache');
    this.res.setHeader('Connection', 'keep-alive');
    this.res.setHeader('X-Accel-Buffering', 'no');
    this.res.flushHeaders();
  }

  /** False once the client is gone. */
  get writable(): boolean {
    return !this.res.writableEnded && !this.res.destroyed;
  }

  data(payload: unknown): void {
    if (this.writable) this.res.write(`data: ${JSON.stringify(payload)}\n\n`);
  }

  /** A named event (Anthropic-style streams). */
  event(name: string, payload: unknown): void {
    if (this.writable) this.res.write(`event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`);
  }

  done(): void {
    if (this.writable) this.res.end('data: [DONE]\n\n');
  }

  end(): void {
    if (this.writable) this.res.end();
  }
}
