import { createHash } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { canonicalJson, IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER, problems, type Cache } from '@shop/kit';

export interface CachedIdempotencyOptions {
  cache: Cache;
  /**
   * Whose keys these are: the same key from two shoppers never collides. A request is looked up
   * under each scope given and its answer kept under each (a new shopper is known by a fresh id,
   * and by their address until their cookie comes back); the first is the one locked.
   */
  scopes: (req: Request, res: Response) => string[];
  ttlSeconds?: number;
  /** Longer than the slowest handler (a checkout waiting for the payment provider). */
  lockSeconds?: number;
}

interface Stored {
  hash: string;
  status: number;
  location?: string;
  body: unknown;
}

const VALID_KEY = /^[\x20-\x7e]{1,255}$/;
const DEFAULT_TTL_SECONDS = 24 * 60 * 60;
const DEFAULT_LOCK_SECONDS = 60;
/** Transient refusals and failures are not the request's answer: a retry runs it again. */
const storable = (status: number): boolean => status < 500 && status !== 408 && status !== 429;

const digest = (text: string): string => createHash('sha256').update(text).digest('base64url');

/**
 * Idempotency-Key for the storefront's JSON API, kept in the shared cache because the storefront
 * has no database: the first request with a key runs and its JSON answer is stored; a retry with
 * the same key and request gets it again (`Idempotent-Replayed: true`), a different request with
 * the key is refused, and one arriving while the first still runs is told to retry. When the
 * cache is unreachable the request runs unprotected rather than failing the shopper.
 */
export function cachedIdempotency(options: CachedIdempotencyOptions): RequestHandler {
  const ttlSeconds = options.ttlSeconds ?? DEFAULT_TTL_SECONDS;
  const lockSeconds = options.lockSeconds ?? DEFAULT_LOCK_SECONDS;
  return async (req, res, next) => {
    const key = req.get(IDEMPOTENCY_KEY_HEADER);
    if (key === undefined) {
      next();
      return;
    }
    if (!VALID_KEY.test(key)) {
      throw problems.validation([{ field: `headers.${IDEMPOTENCY_KEY_HEADER}`, message: 'must be 1 to 255 printable ASCII characters' }]);
    }
    const bases = options.scopes(req, res).map((scope) => `idempotency:storefront:${digest(scope)}:${digest(key)}`);
    const lock = `${bases[0]}:lock`;
    const hash = digest(`${req.method} ${req.originalUrl}\n${canonicalJson(req.body ?? null)}`);
    let stored: string | null = null;
    let claimed = false;
    try {
      for (const base of bases) stored ??= await options.cache.get(base);
      if (stored === null) claimed = (await options.cache.incr(lock, lockSeconds)) === 1;
    } catch (err) {
      req.log.warn({ err, requestId: req.id }, 'idempotency not checked: cache unavailable');
      next();
      return;
    }
    if (stored !== null) {
      replay(res, hash, JSON.parse(stored) as Stored);
      return;
    }
    if (!claimed) {
      res.setHeader('Retry-After', '1');
      throw problems.conflict('idempotency-key-in-flight', 'A request with this Idempotency-Key is still being processed', 'Retry in a moment to receive its result');
    }
    capture(res, async (status, body) => {
      try {
        if (storable(status)) {
          const location = res.getHeader('location');
          const record: Stored = { hash, status, body, ...(typeof location === 'string' ? { location } : {}) };
          await Promise.all(bases.map((base) => options.cache.set(base, JSON.stringify(record), ttlSeconds)));
        }
        await options.cache.del(lock);
      } catch (err) {
        req.log.warn({ err, requestId: req.id }, 'idempotent response not stored: cache unavailable');
      }
    });
    next();
  };
}

function replay(res: Response, hash: string, stored: Stored): void {
  if (stored.hash !== hash) {
    throw problems.unprocessable('idempotency-key-reused', 'Idempotency-Key was already used for a different request', `The ${IDEMPOTENCY_KEY_HEADER} header must be unique per request`);
  }
  res.status(stored.status).setHeader(IDEMPOTENT_REPLAYED_HEADER, 'true');
  if (stored.location) res.location(stored.location);
  if (stored.status >= 400) res.type('application/problem+json');
  res.json(stored.body);
}

/** Holds the JSON answer (handlers and the problem handler both end in res.json) until it is stored. */
function capture(res: Response, persist: (status: number, body: unknown) => Promise<void>): void {
  const original = res.json.bind(res);
  res.json = (body: unknown) => {
    res.json = original;
    void persist(res.statusCode, body).finally(() => original(body));
    return res;
  };
}
