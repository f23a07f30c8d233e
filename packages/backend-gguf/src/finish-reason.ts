import type { FinishReason } from '@llmux/core';

/** node-llama-cpp's stop reasons in llmux's terms. */
export function toFinishReason(stopReason: string): FinishReason {
  switch (stopReason) {
    case 'maxTokens':
      return 'length';
    case 'functionCalls':
      return 'tool-calls';
    case 'abort':
      return 'abort';
    default:
      // eogToken, stopGenerationTrigger, customStopTrigger
      return 'stop';
  }
}
