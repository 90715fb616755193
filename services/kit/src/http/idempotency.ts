import { createHash } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { Knex } from 'knex';
import { problems, type HttpProblem } from '../errors';

export interface IdempotencyOptions {
  db: Knex;
  /** Whose keys these are, e.g. the authenticated subject: the same key from two scopes never collides. */
  scope: string | ((req: Request) => string);
  /** How long a key is remembered; default 24 h. */
  ttlSeconds?: number;
  /** How long a request may hold its key before a retry may take over; keep it above the slowest handler. */
  lockSeconds?: number;
}

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';
export const DEFAULT_IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;
const DEFAULT_LOCK_SECONDS = 60;
const CLAIM_ATTEMPTS = 3;
/** Printable ASCII, 1 to 255 characters. */
const VALID_KEY = /^[\x20-\x7e]{1,255}$/;
/** Response headers that belong to the result and so are replayed; the rest are per-response. */
const REPLAYED_HEADERS = ['content-type', 'location'] as const;
/** Transient refusals that a retry with the same key should be allowed to redo. */
const TRANSIENT_STATUSES = new Set([408, 429]);

interface StoredRecord {
  request_hash: string;
  state: 'in_flight' | 'done';
  response_status: number | null;
  response_headers: Record<string, string> | null;
  response_body: Buffer | null;
  retry_after: number;
}

interface CapturedResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** JSON with object keys sorted, so bodies that differ only in key order hash the same. */
export function canonicalJson(value: unknown): string {
  const plain: unknown = JSON.parse(JSON.stringify(value) ?? 'null');
  const sortKeys = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sortKeys);
    if (v !== null && typeof v === 'object') {
      const record = v as Record<string, unknown>;
      return Object.fromEntries(Object.keys(record).sort().map((k) => [k, sortKeys(record[k])]));
    }
    return v;
  };
  return JSON.stringify(sortKeys(plain));
}

function requestHash(scope: string, req: Request): string {
  return createHash('sha256')
    .update(JSON.stringify([scope, req.method, req.originalUrl]))
    .update('\n')
    .update(canonicalJson(req.body))
    .digest('hex');
}

function isStorable(status: number): boolean {
  return status < 500 && !TRANSIENT_STATUSES.has(status);
}

/** Inserts the key as in flight, or takes over an expired record or an abandoned lock of the same request. */
async function claim(db: Knex, scope: string, key: string, hash: string, lockSeconds: number, ttlSeconds: number): Promise<boolean> {
  const result = await db.raw<{ rows: unknown[] }>(
    `insert into idempotency_keys as k (scope, key, request_hash, state, locked_until)
     values (?, ?, ?, 'in_flight', now() + make_interval(secs => ?))
     on conflict (scope, key) do update
       set request_hash = excluded.request_hash, state = 'in_flight', locked_until = excluded.locked_until,
           response_status = null, response_headers = null, response_body = null, created_at = now()
       where k.created_at < now() - make_interval(secs => ?)
          or (k.state = 'in_flight' and k.locked_until <= now() and k.request_hash = excluded.request_hash)
     returning k.key`,
    [scope, key, hash, lockSeconds, ttlSeconds],
  );
  return result.rows.length === 1;
}

async function load(db: Knex, scope: string, key: string, ttlSeconds: number): Promise<StoredRecord | undefined> {
  const result = await db.raw<{ rows: StoredRecord[] }>(
    `select request_hash, state, response_status, response_headers, response_body,
            greatest(1, ceil(extract(epoch from locked_until - now())))::integer as retry_after
       from idempotency_keys
      where scope = ? and key = ? and created_at >= now() - make_interval(secs => ?)`,
    [scope, key, ttlSeconds],
  );
  return result.rows[0];
}

async function settle(db: Knex, scope: string, key: string, hash: string, response: CapturedResponse): Promise<void> {
  const mine = db('idempotency_keys').where({ scope, key, request_hash: hash, state: 'in_flight' });
  if (isStorable(response.status)) {
    await mine.update({
      state: 'done',
      locked_until: null,
      response_status: response.status,
      response_headers: JSON.stringify(response.headers),
      response_body: response.body,
    });
  } else {
    // A failure is not the request's answer: forget the key so a retry runs the handler again.
    await mine.delete();
  }
}

function chunkToBuffer(chunk: unknown, encoding: unknown): Buffer | undefined {
  if (typeof chunk === 'string') return Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  if (chunk instanceof Uint8Array) return Buffer.from(chunk);
  return undefined;
}

/**
 * Wraps res.write/res.end (which res.json and res.send end in) to collect the response, and holds
 * the final end until `persist` has run, so a retry that sees this response also finds it stored.
 */
function captureResponse(res: Response, persist: (response: CapturedResponse) => Promise<void>): void {
  const chunks: Buffer[] = [];
  const originalWrite = res.write;
  const originalEnd = res.end;
  res.write = function write(this: Response, ...args: unknown[]): boolean {
    const data = chunkToBuffer(args[0], args[1]);
    if (data) chunks.push(data);
    return Reflect.apply(originalWrite, this, args) as boolean;
  } as Response['write'];
  res.end = function end(this: Response, ...args: unknown[]): Response {
    res.write = originalWrite;
    res.end = originalEnd;
    const data = typeof args[0] === 'function' ? undefined : chunkToBuffer(args[0], args[1]);
    if (data) chunks.push(data);
    const headers: Record<string, string> = {};
    for (const name of REPLAYED_HEADERS) {
      const value = res.getHeader(name);
      if (value !== undefined) headers[name] = String(value);
    }
    void persist({ status: res.statusCode, headers, body: Buffer.concat(chunks) }).finally(() => {
      Reflect.apply(originalEnd, res, args);
    });
    return res;
  } as Response['end'];
}

function replay(res: Response, record: StoredRecord): void {
  res.status(record.response_status ?? 200);
  for (const [name, value] of Object.entries(record.response_headers ?? {})) res.setHeader(name, value);
  res.setHeader(IDEMPOTENT_REPLAYED_HEADER, 'true');
  res.end(record.response_body ?? Buffer.alloc(0));
}

function inFlight(res: Response, retryAfterSeconds: number): HttpProblem {
  res.setHeader('Retry-After', String(retryAfterSeconds));
  return problems.conflict(
    'idempotency-key-in-flight',
    'A request with this Idempotency-Key is still being processed',
    `Retry after ${retryAfterSeconds} s to receive its result`,
  );
}

/**
 * Idempotency-Key support for mutating routes (IETF draft-ietf-httpapi-idempotency-key-header):
 * the first request with a key runs and its final response is stored; a retry with the same key
 * and request gets that response again, marked `Idempotent-Replayed: true`. No header, no effect.
 */
export function idempotency(options: IdempotencyOptions): RequestHandler {
  const ttlSeconds = options.ttlSeconds ?? DEFAULT_IDEMPOTENCY_TTL_SECONDS;
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
    const scope = typeof options.scope === 'function' ? options.scope(req) : options.scope;
    const hash = requestHash(scope, req);
    // A record can vanish between claim and load (a 5xx deleted it, or it expired): claim again.
    for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
      if (await claim(options.db, scope, key, hash, lockSeconds, ttlSeconds)) {
        captureResponse(res, (response) =>
          settle(options.db, scope, key, hash, response).catch((err: unknown) => {
            req.log.error({ err, requestId: req.id, idempotencyScope: scope }, 'idempotency record could not be saved');
          }),
        );
        next();
        return;
      }
      const record = await load(options.db, scope, key, ttlSeconds);
      if (!record) continue;
      if (record.request_hash !== hash) {
        throw problems.unprocessable(
          'idempotency-key-reused',
          'Idempotency-Key was already used for a different request',
          `The ${IDEMPOTENCY_KEY_HEADER} header must be unique per request; this one was sent with another method, path or body`,
        );
      }
      if (record.state === 'done') {
        replay(res, record);
        return;
      }
      throw inFlight(res, record.retry_after);
    }
    throw inFlight(res, 1);
  };
}

/** Deletes keys older than the TTL; run it periodically (e.g. from the outbox relay's loop or a CronJob). */
export async function purgeExpiredIdempotencyKeys(db: Knex, ttlSeconds: number = DEFAULT_IDEMPOTENCY_TTL_SECONDS): Promise<number> {
  return db('idempotency_keys')
    .where('created_at', '<', db.raw('now() - make_interval(secs => ?)', [ttlSeconds]))
    .delete();
}
