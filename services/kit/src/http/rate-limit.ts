import type { Request, RequestHandler } from 'express';
import type { Cache } from '../cache/types';
import { HttpProblem } from '../errors';

export interface RateLimitOptions {
  cache: Cache;
  /** Names the limit in keys and logs, e.g. `storefront-api`. */
  name: string;
  /** Requests allowed per window and client. */
  limit: number;
  windowSeconds: number;
  /** Who is counted; defaults to the client address the load balancer reports. */
  keyOf?: (req: Request) => string;
}

export const tooManyRequests = (retryAfterSeconds: number): HttpProblem =>
  new HttpProblem(429, 'rate-limited', 'Too many requests', `Slow down; try again in ${retryAfterSeconds} s`);

/**
 * A fixed-window limit per client, counted in the shared cache so every replica sees the same
 * count. When the cache is unreachable the request goes through: Cloud Armor's per-IP throttle at
 * the edge still stands, and refusing shoppers because Redis blinked would be worse.
 */
export function rateLimit(options: RateLimitOptions): RequestHandler {
  const keyOf = options.keyOf ?? ((req: Request) => req.ip ?? 'unknown');
  return async (req, res, next) => {
    const windowIndex = Math.floor(Date.now() / 1000 / options.windowSeconds);
    const key = `ratelimit:${options.name}:${keyOf(req)}:${windowIndex}`;
    let count: number;
    try {
      count = await options.cache.incr(key, options.windowSeconds);
    } catch (err) {
      req.log.debug({ err, limit: options.name }, 'rate limit not counted: cache unavailable');
      next();
      return;
    }
    const resetSeconds = Math.max(1, Math.ceil((windowIndex + 1) * options.windowSeconds - Date.now() / 1000));
    res.setHeader('RateLimit-Limit', String(options.limit));
    res.setHeader('RateLimit-Remaining', String(Math.max(0, options.limit - count)));
    res.setHeader('RateLimit-Reset', String(resetSeconds));
    if (count > options.limit) {
      res.setHeader('Retry-After', String(resetSeconds));
      next(tooManyRequests(resetSeconds));
      return;
    }
    next();
  };
}
