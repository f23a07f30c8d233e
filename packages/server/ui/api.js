// Calls to the server with the admin key kept in this tab's sessionStorage.
const KEY = 'llmux.adminKey';

export class UnauthorizedError extends Error {}

export const getKey = () => sessionStorage.getItem(KEY) ?? '';
export const setKey = (key) => sessionStorage.setItem(KEY, key);
export const forgetKey = () => sessionStorage.removeItem(KEY);

function headers(extra = {}) {
  const key = getKey();
  return { ...(key ? { authorization: `Bearer ${key}` } : {}), ...extra };
}

async function failure(res) {
  const body = await res.json().catch(() => undefined);
  const message = body?.error?.message ?? `${res.status} ${res.statusText}`;
  return res.status === 401 ? new UnauthorizedError(message) : new Error(message);
}

/** GET or POST JSON; throws UnauthorizedError on 401. */
export async function api(path, { method = 'GET', body } = {}) {
  const res = await fetch(path, {
    method,
    headers: headers(body === undefined ? {} : { 'content-type': 'application/json' }),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw await failure(res);
  return res.json();
}

/**
 * Reads a server-sent event stream over fetch (EventSource cannot send the key).
 * Calls onEvent(name, data) per event; resolves with the response when the stream ends.
 */
export async function sse(path, { method = 'GET', body, signal, onOpen } = {}, onEvent) {
  const res = await fetch(path, {
    method,
    signal,
    headers: headers({ accept: 'text/event-stream', ...(body === undefined ? {} : { 'content-type': 'application/json' }) }),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw await failure(res);
  onOpen?.(res);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let end;
    while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
      let name = 'message';
      const data = [];
      for (const line of block.split(/\r?\n/)) {
        if (line.startsWith('event:')) name = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (data.length > 0) onEvent(name, data.join('\n'));
    }
  }
  return res;
}
