import { messageText, type ChatRequest } from '@llmux/core';

/** The kinds of work the `task` strategy tells apart. */
export type Task = 'tool-use' | 'structured-output' | 'long-context' | 'code' | 'math' | 'reasoning' | 'chat';

export const TASKS: readonly Task[] = ['tool-use', 'structured-output', 'long-context', 'code', 'math', 'reasoning', 'chat'];

export interface TaskClassification {
  task: Task;
  /** What made the decision, for the `x-llmux-route-reason` header and logs. */
  reasons: string[];
}

export interface TaskClassifierOptions {
  /** Prompt size (characters of all messages) from which a request is `long-context`. Default 24,000 (~6K tokens). */
  longContextChars?: number;
}

interface Rule {
  pattern: RegExp;
  weight: number;
  label: string;
}

const CODE_RULES: Rule[] = [
  { pattern: /```/, weight: 3, label: 'code fence' },
  { pattern: /\b(function|def|class|import|return|const|let|var|public|static|void|#include|console\.log|println)\b/, weight: 1, label: 'code keyword' },
  { pattern: /\b(python|javascript|typescript|rust|golang|java|c\+\+|sql|bash|regex|json|html|css|react|node\.?js)\b/i, weight: 1.5, label: 'language name' },
  { pattern: /\b(code|bug|debug|compile|refactor|stack ?trace|exception|unit test|api|script|snippet|implement)\b/i, weight: 1.5, label: 'coding word' },
  { pattern: /[{};]\s*$|=>|\(\)\s*{/m, weight: 1, label: 'code syntax' },
];

const MATH_RULES: Rule[] = [
  { pattern: /\d+\s*[-+*/^×÷]\s*\d+/, weight: 2, label: 'arithmetic' },
  { pattern: /\b(solve|equation|integral|derivative|calculate|compute|prove|theorem|probability|matrix|algebra|geometry|sum of|square root|percent)\b/i, weight: 1.5, label: 'math word' },
  { pattern: /\\(frac|sum|int|sqrt)|\$[^$]+\$/, weight: 2, label: 'LaTeX' },
  { pattern: /\b[xyz]\s*=\s*-?\d/, weight: 1, label: 'variable' },
];

const REASONING_RULES: Rule[] = [
  { pattern: /\bstep[- ]by[- ]step\b/i, weight: 2, label: 'step by step' },
  { pattern: /\b(why|explain|reason|analy[sz]e|compare|evaluate|plan|trade-?offs?|pros and cons|think|logic|puzzle|deduce)\b/i, weight: 1, label: 'reasoning word' },
];

function score(text: string, rules: readonly Rule[]): { score: number; labels: string[] } {
  let total = 0;
  const labels: string[] = [];
  for (const rule of rules) {
    if (rule.pattern.test(text)) {
      total += rule.weight;
      labels.push(rule.label);
    }
  }
  return { score: total, labels };
}

/**
 * A fast rule-based classifier (microseconds): request features first (tools, response format,
 * size), then keyword and syntax rules on the last user message. Deterministic, so routing
 * decisions can be explained and tested.
 */
export function classifyTask(request: Omit<ChatRequest, 'model'> | undefined, options: TaskClassifierOptions = {}): TaskClassification {
  if (!request) return { task: 'chat', reasons: ['no request body'] };
  if (request.tools && request.tools.length > 0 && request.toolChoice !== 'none') {
    return { task: 'tool-use', reasons: [`${request.tools.length} tool(s) offered`] };
  }
  if (request.responseFormat && request.responseFormat.type !== 'text') {
    return { task: 'structured-output', reasons: [`response_format ${request.responseFormat.type}`] };
  }
  let chars = 0;
  for (const message of request.messages) chars += typeof message.content === 'string' ? message.content.length : messageText(message.content).length;
  const longContextChars = options.longContextChars ?? 24_000;
  if (chars >= longContextChars) return { task: 'long-context', reasons: [`${chars} characters of messages`] };

  const lastUser = [...request.messages].reverse().find((m) => m.role === 'user');
  const text = lastUser ? messageText(lastUser.content) : '';
  const scored = (
    [
      ['code', score(text, CODE_RULES)],
      ['math', score(text, MATH_RULES)],
      ['reasoning', score(text, REASONING_RULES)],
    ] as const
  ).filter(([, s]) => s.score >= 1.5);
  if (scored.length === 0) return { task: 'chat', reasons: ['no code, math or reasoning signals'] };
  const [task, best] = scored.reduce((a, b) => (b[1].score > a[1].score ? b : a));
  return { task, reasons: best.labels };
}
