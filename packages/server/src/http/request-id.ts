import { randomHex } from '@llmux/core';
import type { IncomingMessage } from 'node:http';

const CLIENT_ID = /^[\w.:-]{1,64}$/;

/** The request's id: the client's `x-request-id` when it is sane, else a new one. */
export function requestIdFor(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  if (typeof given === 'string' && CLIENT_ID.test(given)) return given;
  return `req_${randomHex(24)}`;
}
