import type { Response } from 'express';
import type { StreamPart } from '@llmux/core';

/** Token accounting of one HTTP response, filled as its generations stream. */
export interface ResponseUsage {
  promptTokens: number;
  completionTokens: number;
  /** Milliseconds from the response's start to its first generated part; undefined before it. */
  firstTokenMs: number | undefined;
  /** Milliseconds from the first to the last generated part. */
  generationMs: number;
}

const USAGE = Symbol('llmux.usage');

/** The usage recorded for a response (zeros when it generated nothing). */
export function usageOf(res: Response): ResponseUsage {
  const locals = res.locals as Record<PropertyKey, unknown>;
  return (locals[USAGE] as ResponseUsage | undefined) ?? { promptTokens: 0, completionTokens: 0, firstTokenMs: undefined, generationMs: 0 };
}

/**
 * Wraps a response's generation streams so that metrics and token rate limits see their usage and
 * time to first token. The parts pass through unchanged.
 */
export function observeStreams(res: Response, streams: AsyncIterable<StreamPart>[]): AsyncIterable<StreamPart>[] {
  const started = performance.now();
  const usage: ResponseUsage = { promptTokens: 0, completionTokens: 0, firstTokenMs: undefined, generationMs: 0 };
  (res.locals as Record<PropertyKey, unknown>)[USAGE] = usage;
  let firstAt: number | undefined;
  return streams.map((stream, index) => ({
    async *[Symbol.asyncIterator]() {
      for await (const part of stream) {
        const now = performance.now();
        if (part.type === 'finish') {
          // With n > 1 the prompt is counted once, as in the response's usage.
          if (index === 0) usage.promptTokens = part.usage.promptTokens;
          usage.completionTokens += part.usage.completionTokens;
        } else if (firstAt === undefined) {
          firstAt = now;
          usage.firstTokenMs = now - started;
        }
        if (firstAt !== undefined) usage.generationMs = now - firstAt;
        yield part;
      }
    },
  }));
}
