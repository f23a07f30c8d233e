import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';

/**
 * Throws malformed requests at every endpoint and checks each gets the right 4xx in the OpenAI
 * shape, then that the server still serves. Raw sockets cover what fetch cannot send: truncated
 * and slow bodies (slowloris), broken HTTP, oversized headers.
 */

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ server: { bodyLimit: '64kb', bodyTimeout: '1s' }, modelDefaults: { parallel: 4, maxQueue: 16 } });
});
afterAll(() => server?.stop());

interface Case {
  name: string;
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  /** A value is sent as JSON; a string as is. */
  body?: unknown;
  status: number;
  code: string;
  param?: string | null;
}

const CHAT = '/v1/chat/completions';
const valid = { model: 'stories', messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 2 };
const withField = (field: string, value: unknown) => ({ ...valid, [field]: value });
const withMessage = (message: unknown) => ({ ...valid, messages: [message] });
const invalid = (name: string, body: unknown, param?: string | null): Case => ({ name, body, status: 400, code: 'invalid_request', ...(param !== undefined ? { param } : {}) });

const cases: Case[] = [
  // Not JSON, or not the JSON we need.
  invalid('truncated JSON', '{"model": "stories", "messages": ['),
  invalid('trailing comma', '{"model": "stories",}'),
  invalid('single quotes', "{'model': 'stories'}"),
  invalid('bare word', 'hello'),
  invalid('JSON string', '"just a string"'),
  invalid('JSON number', '42'),
  invalid('JSON null', 'null'),
  invalid('JSON true', 'true'),
  invalid('JSON array', '[]'),
  invalid('array of requests', JSON.stringify([valid])),
  invalid('empty object', {}),
  invalid('empty body', ''),
  invalid('whitespace body', '   \n  '),
  invalid('max_tokens overflowing to Infinity', '{"model": "stories", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 1e400}', 'max_tokens'),
  invalid('NaN literal', '{"model": "stories", "temperature": NaN}'),
  invalid('comment in JSON', '{"model": "stories" /* hi */}'),
  invalid('binary garbage', '\u0000\u0001\u0002\u00ff'),
  invalid('deeply nested arrays', `{"model":"stories","messages":${'['.repeat(5000)}${']'.repeat(5000)}}`),
  invalid('duplicated braces', '{{}}'),
  { name: 'text/plain content type', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(valid), status: 400, code: 'invalid_request' },
  { name: 'form content type', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'model=stories', status: 400, code: 'invalid_request' },
  { name: 'no content type', headers: { 'content-type': '' }, body: JSON.stringify(valid), status: 400, code: 'invalid_request' },
  { name: 'multipart content type', headers: { 'content-type': 'multipart/form-data; boundary=x' }, body: '--x--', status: 400, code: 'invalid_request' },
  { name: 'latin1 charset', headers: { 'content-type': 'application/json; charset=latin1' }, body: JSON.stringify(valid), status: 400, code: 'invalid_request' },
  { name: 'unknown charset', headers: { 'content-type': 'application/json; charset=klingon' }, body: JSON.stringify(valid), status: 400, code: 'invalid_request' },
  { name: 'gzip that is not gzip', headers: { 'content-encoding': 'gzip' }, body: JSON.stringify(valid), status: 400, code: 'invalid_request' },
  { name: 'unknown content encoding', headers: { 'content-encoding': 'rot13' }, body: JSON.stringify(valid), status: 400, code: 'invalid_request' },
  { name: 'body over the limit', body: { ...valid, messages: [{ role: 'user', content: 'x'.repeat(70_000) }] }, status: 413, code: 'payload_too_large' },
  { name: 'huge non-JSON body', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(200_000), status: 413, code: 'payload_too_large' },

  // model
  invalid('model missing', { messages: valid.messages }, 'model'),
  invalid('model null', withField('model', null), 'model'),
  invalid('model number', withField('model', 7), 'model'),
  invalid('model empty', withField('model', ''), 'model'),
  invalid('model array', withField('model', ['stories']), 'model'),
  invalid('model object', withField('model', { id: 'stories' }), 'model'),
  { name: 'unknown model', body: withField('model', 'gpt-17'), status: 404, code: 'model_not_found', param: 'model' },
  { name: 'unknown model with slash', body: withField('model', 'org/none'), status: 404, code: 'model_not_found', param: 'model' },
  { name: 'unknown model, very long', body: withField('model', 'm'.repeat(5000)), status: 404, code: 'model_not_found', param: 'model' },

  // messages
  invalid('messages missing', { model: 'stories' }, 'messages'),
  invalid('messages null', withField('messages', null), 'messages'),
  invalid('messages empty', withField('messages', []), 'messages'),
  invalid('messages string', withField('messages', 'hello'), 'messages'),
  invalid('messages object', withField('messages', { role: 'user', content: 'hi' }), 'messages'),
  invalid('message null', withMessage(null), 'messages[0]'),
  invalid('message string', withMessage('hi'), 'messages[0]'),
  invalid('message without role', withMessage({ content: 'hi' }), 'messages[0].role'),
  invalid('message with unknown role', withMessage({ role: 'wizard', content: 'hi' }), 'messages[0].role'),
  invalid('message role number', withMessage({ role: 1, content: 'hi' }), 'messages[0].role'),
  invalid('user content missing', withMessage({ role: 'user' }), 'messages[0].content'),
  invalid('user content number', withMessage({ role: 'user', content: 5 }), 'messages[0].content'),
  invalid('user content null', withMessage({ role: 'user', content: null }), 'messages[0].content'),
  invalid('user content empty parts', withMessage({ role: 'user', content: [] }), 'messages[0].content'),
  invalid('user part without type', withMessage({ role: 'user', content: [{ text: 'hi' }] })),
  invalid('user part unknown type', withMessage({ role: 'user', content: [{ type: 'video', url: 'x' }] })),
  invalid('text part without text', withMessage({ role: 'user', content: [{ type: 'text' }] })),
  invalid('image part without url', withMessage({ role: 'user', content: [{ type: 'image_url' }] })),
  invalid('system content object', withMessage({ role: 'system', content: { text: 'x' } }), 'messages[0].content'),
  invalid('tool message without id', withMessage({ role: 'tool', content: 'x' }), 'messages[0].tool_call_id'),
  invalid('assistant tool call malformed', withMessage({ role: 'assistant', content: null, tool_calls: [{ id: 'a' }] })),
  invalid('second message broken', { ...valid, messages: [valid.messages[0], { role: 'user' }] }, 'messages[1].content'),
  invalid('name number', withMessage({ role: 'user', content: 'hi', name: 3 }), 'messages[0].name'),

  // numbers out of range or of the wrong type
  ...(
    [
      ['temperature', 2.5],
      ['temperature', -0.1],
      ['temperature', 'hot'],
      ['temperature', true],
      ['top_p', 1.5],
      ['top_p', -1],
      ['n', 0],
      ['n', 17],
      ['n', 1.5],
      ['n', '2'],
      ['max_tokens', 0],
      ['max_tokens', -5],
      ['max_tokens', 1.5],
      ['max_tokens', '10'],
      ['max_completion_tokens', 0],
      ['max_completion_tokens', 'many'],
      ['presence_penalty', 3],
      ['presence_penalty', -2.5],
      ['frequency_penalty', 9],
      ['frequency_penalty', 'x'],
      ['logit_bias', { abc: 1 }],
      ['logit_bias', { '1': 500 }],
      ['logit_bias', []],
      ['top_logprobs', 21],
      ['top_logprobs', -1],
      ['seed', 1.5],
      ['seed', 'seed'],
      ['stream', 'yes'],
      ['stream', 1],
      ['stream_options', 'usage'],
      ['stream_options', { include_usage: 'yes' }],
      ['stop', 5],
      ['stop', ['a', 'b', 'c', 'd', 'e']],
      ['stop', [1, 2]],
      ['logprobs', 'true'],
      ['user', 12],
      ['tools', 'all'],
      ['tools', [{ type: 'function' }]],
      ['tools', [{ type: 'function', function: { name: 'bad name!' } }]],
      ['tools', [{ type: 'retrieval', function: { name: 'f' } }]],
      ['tool_choice', 'sometimes'],
      ['tool_choice', { type: 'function' }],
      ['response_format', { type: 'xml' }],
      ['response_format', 'json'],
      ['response_format', { type: 'json_schema' }],
      ['response_format', { type: 'json_schema', json_schema: { name: 'has space' } }],
    ] as const
  ).map(([field, value]) => invalid(`${field} = ${JSON.stringify(value)}`, withField(field, value), field)),

  // other endpoints
  { name: 'GET unknown model', method: 'GET', path: '/v1/models/gpt-17', status: 404, code: 'model_not_found', param: 'model' },
  { name: 'GET unknown nested model', method: 'GET', path: '/v1/models/a/b/c', status: 404, code: 'model_not_found', param: 'model' },
  { name: 'GET model with encoded junk', method: 'GET', path: '/v1/models/%00%01', status: 404, code: 'model_not_found', param: 'model' },
  { name: 'GET model with broken escape', method: 'GET', path: '/v1/models/%E0%A4%A', status: 400, code: 'invalid_request' },
  { name: 'POST /v1/models', path: '/v1/models', body: {}, status: 404, code: 'not_found' },
  { name: 'DELETE /v1/models', method: 'DELETE', path: '/v1/models', status: 404, code: 'not_found' },
  { name: 'GET chat completions', method: 'GET', path: CHAT, status: 404, code: 'not_found' },
  { name: 'PUT chat completions', method: 'PUT', path: CHAT, body: valid, status: 404, code: 'not_found' },
  { name: 'DELETE chat completions', method: 'DELETE', path: CHAT, status: 404, code: 'not_found' },
  { name: 'PATCH chat completions', method: 'PATCH', path: CHAT, body: valid, status: 404, code: 'not_found' },
  { name: 'chat completions with trailing junk path', path: `${CHAT}/extra`, body: valid, status: 404, code: 'not_found' },
  { name: 'POST /admin/health', path: '/admin/health', body: {}, status: 404, code: 'not_found' },
  { name: 'DELETE /admin/health', method: 'DELETE', path: '/admin/health', status: 404, code: 'not_found' },
  { name: 'POST /metrics', path: '/metrics', body: {}, status: 404, code: 'not_found' },
  { name: 'unknown /v1 path', method: 'GET', path: '/v1/engines', status: 404, code: 'not_found' },
  { name: 'unknown root path', method: 'GET', path: '/wp-login.php', status: 404, code: 'not_found' },
  { name: 'path traversal', method: 'GET', path: '/v1/../../etc/passwd', status: 404, code: 'not_found' },
  { name: 'double slash path', method: 'GET', path: '//v1//models', status: 404, code: 'not_found' },
  { name: 'very long path', method: 'GET', path: `/v1/${'a'.repeat(6000)}`, status: 404, code: 'not_found' },
  { name: 'query junk on chat', path: `${CHAT}?%zz=1`, body: { model: 'stories' }, status: 400, code: 'invalid_request', param: 'messages' },
];

async function send(c: Case): Promise<Response> {
  const method = c.method ?? 'POST';
  const headers: Record<string, string> = { ...(c.body !== undefined ? { 'content-type': 'application/json' } : {}), ...c.headers };
  if (headers['content-type'] === '') delete headers['content-type'];
  const body = c.body === undefined ? undefined : typeof c.body === 'string' ? c.body : JSON.stringify(c.body);
  return fetch(`${server.url}${c.path ?? CHAT}`, { method, headers, ...(body !== undefined ? { body } : {}) });
}

describe('bad input', () => {
  it('has at least 100 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(100);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const res = await send(c);
    const text = await res.text();
    expect(res.status, text).toBe(c.status);
    const body = JSON.parse(text) as { error: { message: string; type: string; param: string | null; code: string } };
    expect(body.error.code).toBe(c.code);
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message.length).toBeGreaterThan(10);
    // The param names the field at fault, down to the nested key (`tools[0].function.name`).
    if (c.param === null) expect(body.error.param).toBeNull();
    else if (c.param !== undefined) expect(body.error.param?.startsWith(c.param), String(body.error.param)).toBe(true);
    expect(res.headers.get('x-request-id')).toMatch(/^req_/);
  });

  it('answers a request with a broken stream client and keeps every sequence free', async () => {
    for (let i = 0; i < 10; i++) {
      const controller = new AbortController();
      const res = await fetch(`${server.url}${CHAT}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...valid, stream: true, max_tokens: 400 }),
        signal: controller.signal,
      });
      const reader = res.body!.getReader();
      await reader.read();
      controller.abort();
    }
    await expect.poll(() => server.runtime.manager.peek('stories260K')?.stats().active, { timeout: 5000 }).toBe(0);
  });
});

/** Raw HTTP over a socket: what a client that misbehaves at the protocol level sends. */
function raw(write: (socket: net.Socket) => void | Promise<void>, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(server.port, '127.0.0.1');
    let received = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer in ${timeoutMs} ms; got ${JSON.stringify(received)}`));
    }, timeoutMs);
    socket.on('data', (data) => (received += data.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(received);
    });
    socket.on('connect', () => void write(socket));
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('protocol-level abuse', () => {
  it('answers 400 (or nothing) to a body that stops before its Content-Length', async () => {
    const answer = await raw((socket) => {
      socket.write(`POST ${CHAT} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"model":`);
      setTimeout(() => socket.end(), 50);
    });
    expect(answer === '' || answer.startsWith('HTTP/1.1 400'), answer).toBe(true);
  });

  it('survives a client that sends half a body and vanishes', async () => {
    const answer = await raw((socket) => {
      socket.write(`POST ${CHAT} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"model":`);
      setTimeout(() => socket.destroy(), 50);
    });
    expect(answer).toBe('');
  });

  it('answers 408 to a slowloris body that trickles in past bodyTimeout', async () => {
    const started = Date.now();
    const answer = await raw(async (socket) => {
      socket.write(`POST ${CHAT} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n`);
      for (let i = 0; i < 40 && !socket.destroyed; i++) {
        socket.write('{');
        await sleep(100);
      }
    });
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(Date.now() - started).toBeLessThan(3500);
  });

  it('answers 408 to headers that never finish', async () => {
    const answer = await raw(async (socket) => {
      socket.write('GET /v1/models HTTP/1.1\r\nHost: x\r\n');
      for (let i = 0; i < 40 && !socket.destroyed; i++) {
        socket.write(`X-Slow-${i}: y\r\n`);
        await sleep(100);
      }
    });
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  });

  it('answers 400 to a request line that is not HTTP', async () => {
    expect(await raw((socket) => socket.write('HELLO THERE\r\n\r\n'))).toMatch(/^HTTP\/1\.1 400/);
  });

  it('answers 400 to conflicting Content-Length headers', async () => {
    const answer = await raw((socket) =>
      socket.write(`POST ${CHAT} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}`),
    );
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
  });

  it('answers 431 to oversized headers', async () => {
    const answer = await raw((socket) => socket.write(`GET /v1/models HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`));
    expect(answer).toMatch(/^HTTP\/1\.1 431/);
  });

  it('is healthy afterwards and still generates', async () => {
    const health = await fetch(`${server.url}/admin/health`);
    expect(health.status).toBe(200);
    const completion = await server.client.chat.completions.create({ model: 'stories', messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 5, temperature: 0 });
    expect(completion.choices[0]!.message.content!.length).toBeGreaterThan(0);
    expect(server.runtime.manager.peek('stories260K')!.stats()).toMatchObject({ active: 0, queued: 0 });
    expect(server.runtime.inflight.size).toBe(0);
  });
});
