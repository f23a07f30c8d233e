import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StubRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

export type StubHandler = (request: StubRequest, res: ServerResponse) => void | Promise<void>;

/** An OpenAI-compatible server on a free loopback port whose answers each test scripts. */
export interface StubUpstream {
  /** `http://127.0.0.1:port/v1` */
  baseURL: string;
  requests: StubRequest[];
  handle(handler: StubHandler): void;
  close(): Promise<void>;
}

export async function startStubUpstream(): Promise<StubUpstream> {
  let handler: StubHandler = (_request, res) => res.writeHead(500).end();
  const requests: StubRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const request = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body: text ? (JSON.parse(text) as unknown) : undefined };
      requests.push(request);
      if (request.url === '/v1/models') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data: [{ id: 'up-model', object: 'model' }] }));
        return;
      }
      void handler(request, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    handle: (next) => {
      handler = next;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Starts an SSE answer; `send` writes one chunk, `end` writes `[DONE]`. */
export function sse(res: ServerResponse) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  return {
    send: (data: unknown) => res.write(`data: ${JSON.stringify(data)}\n\n`),
    end: () => res.end('data: [DONE]\n\n'),
  };
}

/** One chat.completion.chunk. */
export function chunk(delta: Record<string, unknown>, finishReason: string | null = null, usage?: Record<string, unknown>) {
  return {
    id: 'chatcmpl-stub',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'up-model',
    choices: usage ? [] : [{ index: 0, delta, finish_reason: finishReason, logprobs: null }],
    ...(usage ? { usage } : {}),
  };
}

export function errorBody(status: number, message: string, code: string | null, headers: Record<string, string> = {}): StubHandler {
  return (_request, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify({ error: { message, type: 'error', param: null, code } }));
  };
}
