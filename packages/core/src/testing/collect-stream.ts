import type { FinishPart, StreamPart } from '../types/stream-part.js';

export interface CollectedStream {
  /** The text of all `text-delta` parts. */
  text: string;
  /** Every part's type, in order. */
  order: StreamPart['type'][];
  /** The last `finish` part (the contract says there is exactly one, last). */
  finish: FinishPart | undefined;
}

/** Reads a stream to its end. */
export async function collectStream(stream: AsyncIterable<StreamPart>): Promise<CollectedStream> {
  let text = '';
  let finish: FinishPart | undefined;
  const order: StreamPart['type'][] = [];
  for await (const part of stream) {
    order.push(part.type);
    if (part.type === 'text-delta') text += part.text;
    if (part.type === 'finish') finish = part;
  }
  return { text, order, finish };
}
