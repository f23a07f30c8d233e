import type { FinishPart, LlmuxError, StreamPart, ToolCall } from '@llmux/core';
import { streamFailure } from '../runtime/generation.js';
import type { GenerationClock, OllamaTimings } from './generation-clock.js';

/** How one endpoint (`/api/chat` or `/api/generate`) words its lines. */
export interface OllamaLineShape {
  /** A streamed piece of text. */
  piece(head: LineHead, text: string): object;
  /** A line with finished tool calls (chat only). */
  toolCalls?(head: LineHead, calls: OllamaToolCall[]): object;
  /** The last line (streaming) or the whole body: all text when not streamed, '' when it was. */
  final(head: LineHead, text: string, calls: OllamaToolCall[], doneReason: string, timings: OllamaTimings): object;
}

export interface LineHead {
  model: string;
  created_at: string;
}

export interface OllamaToolCall {
  function: { name: string; arguments: unknown };
}

/**
 * Turns a generation's parts into Ollama's lines: text pieces as they come, each tool call whole
 * in a line of its own once its arguments are complete (Ollama sends calls whole), and a final
 * line with `done: true`, the reason and the timings. Without streaming, only the final body.
 */
export class OllamaReply {
  private text = '';
  private readonly calls: ToolCall[] = [];
  private finishPart: FinishPart | undefined;

  constructor(
    private readonly shape: OllamaLineShape,
    private readonly model: string,
    private readonly clock: GenerationClock,
    private readonly streaming: boolean,
  ) {}

  /** The lines to send now for one part (none without streaming). */
  accept(part: StreamPart): object[] {
    switch (part.type) {
      case 'text-delta':
        this.clock.markOutput();
        this.text += part.text;
        return this.streaming ? [this.shape.piece(this.head(), part.text)] : [];
      case 'tool-call-start':
        this.clock.markOutput();
        this.calls[part.index] = { id: part.id, name: part.name, arguments: '' };
        return [];
      case 'tool-call-delta':
        if (this.calls[part.index]) this.calls[part.index]!.arguments += part.argumentsDelta;
        return [];
      case 'tool-call-end': {
        const call = this.calls[part.index];
        return this.streaming && call && this.shape.toolCalls ? [this.shape.toolCalls(this.head(), [toOllamaToolCall(call)])] : [];
      }
      case 'finish':
        this.finishPart = part;
        return [];
      default:
        return [];
    }
  }

  get finish(): FinishPart | undefined {
    return this.finishPart;
  }

  /** The error to report when the generation failed or was stopped by the server. */
  failure(signal: AbortSignal): LlmuxError | undefined {
    return this.finishPart ? streamFailure(this.finishPart, signal) : undefined;
  }

  /** The final line (streaming: no text, calls already sent when the shape has call lines) or the whole body. */
  final(): object {
    const finish = this.finishPart!;
    const doneReason = finish.reason === 'length' ? 'length' : 'stop';
    const calls = this.streaming && this.shape.toolCalls ? [] : this.calls.filter(Boolean).map(toOllamaToolCall);
    return this.shape.final(this.head(), this.streaming ? '' : this.text, calls, doneReason, this.clock.timings(finish.usage));
  }

  private head(): LineHead {
    return { model: this.model, created_at: new Date().toISOString() };
  }
}

/** Ollama sends arguments as an object; text that is not JSON is kept under `_raw`. */
function toOllamaToolCall(call: ToolCall): OllamaToolCall {
  let args: unknown;
  try {
    args = JSON.parse(call.arguments || '{}');
  } catch {
    args = { _raw: call.arguments };
  }
  return { function: { name: call.name, arguments: args } };
}
