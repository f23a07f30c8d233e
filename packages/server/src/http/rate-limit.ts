import type { Request, RequestHandler, Response } from 'express';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { ErrorCodes, LlmuxError, type LlmuxConfig } from '@llmux/core';
import { usageOf } from './usage-observer.js';

const WINDOW_SECONDS = 60;

/** Who a request counts against: its key's id, else the client address. */
function clientOf(req: Request, res: Response): string {
  return typeof res.locals.keyId === 'string' ? res.locals.keyId : `ip:${req.ip ?? 'unknown'}`;
}

function limited(what: string, limit: number, msBeforeNext: number): LlmuxError {
  const seconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
  return new LlmuxError(
    ErrorCodes.rateLimited,
    `Rate limit reached: ${limit} ${what} per minute for this key. Retry in ${seconds} s.`,
    { retryable: true, retryAfterSeconds: seconds, details: { limit, what } },
  );
}

/**
 * Per-key limits over a one-minute window (`server.rateLimit`): requests are counted on arrival;
 * tokens (prompt + completion) when the response ends, so a key over its token budget gets 429
 * on its next request until the window frees enough. Only `/v1/*` is limited.
 */
export function rateLimitMiddleware(settings: LlmuxConfig['server']['rateLimit']): RequestHandler | undefined {
  const { requestsPerMinute, tokensPerMinute } = settings;
  if (requestsPerMinute === 0 && tokensPerMinute === 0) return undefined;
  const requests = requestsPerMinute > 0 ? new RateLimiterMemory({ points: requestsPerMinute, duration: WINDOW_SECONDS }) : undefined;
  const tokens = tokensPerMinute > 0 ? new RateLimiterMemory({ points: tokensPerMinute, duration: WINDOW_SECONDS }) : undefined;

  return async (req, res, next) => {
    if (!req.path.startsWith('/v1/')) return next();
    const client = clientOf(req, res);
    if (tokens) {
      const used = await tokens.get(client);
      if (used && used.consumedPoints >= tokensPerMinute) return next(limited('tokens', tokensPerMinute, used.msBeforeNext));
    }
    if (requests) {
      try {
        await requests.consume(client, 1);
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) return next(limited('requests', requestsPerMinute, rejection.msBeforeNext));
        return next(rejection);
      }
    }
    if (tokens) {
      res.on('close', () => {
        const usage = usageOf(res);
        const spent = usage.promptTokens + usage.completionTokens;
        if (spent > 0) void tokens.penalty(client, spent);
      });
    }
    next();
  };
}
