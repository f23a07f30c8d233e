import { createParser } from 'eventsource-parser';
import { authHeaders } from './cli-context.js';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatOptions {
  maxTokens?: number;
  temperature?: number;
  signal?: AbortSignal;
}

/**
 * Sends a streaming chat completion and hands each text delta to `onText` as it arrives.
 * Resolves with the whole reply; an error chunk or a non-2xx answer rejects with the server's message.
 */
export async function streamChat(url: string, model: string, messages: readonly ChatMessage[], onText: (text: string) => void, options: ChatOptions = {}): Promise<string> {
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...authHeaders() },
    body: JSON.stringify({
      model,
      messages,
      stream: true,
      ...(options.maxTokens !== undefined ? { max_tokens: options.maxTokens } : {}),
      ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
    }),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (!res.ok || !res.body) {
    const body = (await res.json().catch(() => undefined)) as { error?: { message?: string } } | undefined;
    throw new Error(body?.error?.message ?? `${res.status} ${res.statusText}`);
  }
  let reply = '';
  let failure: string | undefined;
  const parser = createParser({
    onEvent: (event) => {
      if (event.data === '[DONE]') return;
      const chunk = JSON.parse(event.data) as { choices?: { delta?: { content?: string } }[]; error?: { message?: string } };
      if (chunk.error) failure = chunk.error.message ?? 'the server reported an error';
      const text = chunk.choices?.[0]?.delta?.content;
      if (text) {
        reply += text;
        onText(text);
      }
    },
  });
  const decoder = new TextDecoder();
  for await (const bytes of res.body) parser.feed(decoder.decode(bytes, { stream: true }));
  if (failure) throw new Error(failure);
  return reply;
}
