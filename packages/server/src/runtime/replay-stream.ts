import type { StreamPart } from '@llmux/core';

/** Parts collected earlier, streamed again (a cascade returns the answer it accepted this way). */
export async function* replayParts(parts: readonly StreamPart[]): AsyncGenerator<StreamPart> {
  for (const part of parts) yield part;
}

/** Reads a stream to its end. */
export async function collectParts(stream: AsyncIterable<StreamPart>): Promise<StreamPart[]> {
  const parts: StreamPart[] = [];
  for await (const part of stream) parts.push(part);
  return parts;
}

/** Calls `onFinish` with the finish part (or undefined if the stream broke off) once the stream ends. */
export async function* observeFinish(
  stream: AsyncIterable<StreamPart>,
  onFinish: (finish: Extract<StreamPart, { type: 'finish' }> | undefined) => void,
): AsyncGenerator<StreamPart> {
  let finish: Extract<StreamPart, { type: 'finish' }> | undefined;
  try {
    for await (const part of stream) {
      if (part.type === 'finish') finish = part;
      yield part;
    }
  } finally {
    onFinish(finish);
  }
}
