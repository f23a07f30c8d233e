import type { Usage } from '@llmux/core';

/** Ollama's timing fields, in nanoseconds. */
export interface OllamaTimings {
  total_duration: number;
  load_duration: number;
  prompt_eval_count: number;
  prompt_eval_duration: number;
  eval_count: number;
  eval_duration: number;
}

/**
 * Measures one generation as Ollama reports it: `load` runs from the request to its admission
 * (routing, loading the model when it was not in memory, waiting for a sequence); prompt
 * evaluation runs from admission to the first generated text; evaluation from there to the end.
 */
export class GenerationClock {
  private readonly started = process.hrtime.bigint();
  private admitted: bigint | undefined;
  private firstOutput: bigint | undefined;

  markAdmitted(): void {
    this.admitted ??= process.hrtime.bigint();
  }

  markOutput(): void {
    this.markAdmitted();
    this.firstOutput ??= process.hrtime.bigint();
  }

  timings(usage: Usage): OllamaTimings {
    const now = process.hrtime.bigint();
    const admitted = this.admitted ?? now;
    const firstOutput = this.firstOutput ?? now;
    return {
      total_duration: Number(now - this.started),
      load_duration: Number(admitted - this.started),
      prompt_eval_count: usage.promptTokens,
      prompt_eval_duration: Number(firstOutput - admitted),
      eval_count: usage.completionTokens,
      eval_duration: Number(now - firstOutput),
    };
  }
}
