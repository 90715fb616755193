import path from 'node:path';
import express, { type Request } from 'express';
import pino from 'pino';
import { createTestDatabase, type TestDatabase } from '../../src/db/index';
import { createHttpApp } from '../../src/http/app';
import { listen, type RunningServer } from '../../src/http/server';
import { idempotency, purgeExpiredIdempotencyKeys, canonicalJson } from '../../src/http/idempotency';
import { problems } from '../../src/errors';

const NO_MIGRATIONS = path.resolve(__dirname, '../fixtures/no-migrations');

/** Holds the first request that reaches it until released; later ones pass. */
interface Gate {
  taken: boolean;
  entered: Promise<void>;
  enter(): void;
  released: Promise<void>;
  release(): void;
}

function gate(): Gate {
  let enter!: () => void;
  let release!: () => void;
  const entered = new Promise<void>((resolve) => (enter = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  return { taken: false, entered, enter, released, release };
}

let testDb: TestDatabase;
let server: RunningServer;
let slowGate: Gate = gate();
let flakyFailures = 0;

async function effects(label: string): Promise<number> {
  const [row] = await testDb.db('side_effects').where({ label }).count<{ count: string }[]>({ count: '*' });
  return Number(row?.count ?? 0);
}

async function record(key: string) {
  return testDb.db('idempotency_keys').where({ key }).first<{ state: string; response_status: number | null } | undefined>();
}

interface PostOptions {
  key?: string;
  subject?: string;
  body?: unknown;
}

async function post(route: string, options: PostOptions = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.key !== undefined) headers['idempotency-key'] = options.key;
  if (options.subject) headers['x-subject'] = options.subject;
  const res = await fetch(`${server.url}${route}`, { method: 'POST', headers, body: JSON.stringify(options.body ?? {}) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) as Record<string, unknown> };
}

let keySeq = 0;
const freshKey = () => `key-${Date.now()}-${++keySeq}`;

beforeAll(async () => {
  testDb = await createTestDatabase(NO_MIGRATIONS, 'kit_idem');
  await testDb.db.raw('create table side_effects (id serial primary key, label text not null, payload jsonb)');
  const db = testDb.db;
  const keyed = idempotency({ db, scope: (req: Request) => req.get('x-subject') ?? 'anonymous' });
  const record = async (label: string, payload: unknown) => {
    const [row] = await db('side_effects').insert({ label, payload: JSON.stringify(payload) }).returning<{ id: number }[]>('id');
    return row!.id;
  };

  const routes = express.Router();
  routes.post('/orders', keyed, async (req, res) => {
    const id = await record('orders', req.body);
    res.status(201).location(`/orders/${id}`).json({ id, received: req.body as unknown });
  });
  routes.post('/slow', keyed, async (req, res) => {
    const id = await record('slow', req.body);
    const held = slowGate;
    if (!held.taken) {
      held.taken = true;
      held.enter();
      await held.released;
    }
    res.status(201).json({ id });
  });
  routes.post('/busy', keyed, async (req, res) => {
    const id = await record('busy', req.body);
    await new Promise((r) => setTimeout(r, 150));
    res.status(201).json({ id });
  });
  routes.post('/flaky', keyed, async (req, res) => {
    const id = await record('flaky', req.body);
    if (flakyFailures > 0) {
      flakyFailures--;
      throw new Error('downstream exploded');
    }
    res.json({ id });
  });
  routes.post('/rejects', keyed, async (req) => {
    await record('rejects', req.body);
    throw problems.unprocessable('insufficient-stock', 'Not enough stock', 'only 2 left');
  });
  routes.post('/limited', keyed, async (req, res) => {
    await record('limited', req.body);
    res.status(429).set('retry-after', '1').json({ limited: true });
  });
  routes.post('/text', keyed, async (req, res) => {
    const id = await record('text', req.body);
    res.status(200).type('text/plain; charset=utf-8').send(`receipt #${id} — ünïcödé`);
  });
  routes.post('/streamed', keyed, async (req, res) => {
    const id = await record('streamed', req.body);
    res.status(202).type('application/x-ndjson');
    res.write(`{"part":1,"id":${id}}\n`);
    res.end(Buffer.from('{"part":2}\n'));
  });

  const app = createHttpApp({ logger: pino({ level: 'silent' }), readiness: {}, bodyLimit: '100kb', routes });
  server = await listen(app, 0, '127.0.0.1');
});

afterAll(async () => {
  await server?.close();
  await testDb?.drop();
});

describe('idempotency middleware', () => {
  it('replays the stored response to a retry, and the handler runs once', async () => {
    const key = freshKey();
    const body = { sku: 'SKU-1', qty: 2, note: { a: 1, b: [1, 2] } };
    const first = await post('/orders', { key, body });
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const second = await post('/orders', { key, body });
    expect(second.status).toBe(201);
    expect(second.text).toBe(first.text);
    expect(second.headers.get('location')).toBe(first.headers.get('location'));
    expect(second.headers.get('content-type')).toBe(first.headers.get('content-type'));
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    // Same JSON with keys in another order is the same request.
    const reordered = await post('/orders', { key, body: { note: { b: [1, 2], a: 1 }, qty: 2, sku: 'SKU-1' } });
    expect(reordered.status).toBe(201);
    expect(reordered.text).toBe(first.text);
    expect(await effects('orders')).toBe(1);
    expect(await record(key)).toMatchObject({ state: 'done', response_status: 201 });
  });

  it('answers 422 when a key is reused with a different body or path, without running the handler', async () => {
    const key = freshKey();
    await post('/orders', { key, body: { sku: 'A' } });
    const before = await effects('orders');
    const otherBody = await post('/orders', { key, body: { sku: 'B' } });
    expect(otherBody.status).toBe(422);
    expect(otherBody.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(otherBody.json().type).toMatch(/\/idempotency-key-reused$/);
    const otherPath = await post('/text', { key, body: { sku: 'A' } });
    expect(otherPath.status).toBe(422);
    expect(await effects('orders')).toBe(before);
    expect(await effects('text')).toBe(0);
  });

  it('answers 409 with Retry-After while the first request is still running, then replays its result', async () => {
    slowGate = gate();
    const key = freshKey();
    const first = post('/slow', { key, body: { n: 1 } });
    await slowGate.entered;
    const concurrent = await post('/slow', { key, body: { n: 1 } });
    expect(concurrent.status).toBe(409);
    expect(concurrent.json().type).toMatch(/\/idempotency-key-in-flight$/);
    const retryAfter = Number(concurrent.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    slowGate.release();
    const done = await first;
    expect(done.status).toBe(201);
    const later = await post('/slow', { key, body: { n: 1 } });
    expect(later.status).toBe(201);
    expect(later.text).toBe(done.text);
    expect(await effects('slow')).toBe(1);
  });

  it('runs the handler exactly once for 20 identical concurrent requests', async () => {
    const key = freshKey();
    const body = { sku: 'RACE', qty: 1 };
    const responses = await Promise.all(Array.from({ length: 20 }, () => post('/busy', { key, body })));
    const statuses = responses.map((r) => r.status);
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
    const successes = responses.filter((r) => r.status === 201);
    expect(successes.length).toBeGreaterThanOrEqual(1);
    expect(new Set(successes.map((r) => r.text)).size).toBe(1);
    expect(await effects('busy')).toBe(1);
    const after = await post('/busy', { key, body });
    expect(after.headers.get('idempotent-replayed')).toBe('true');
    expect(after.text).toBe(successes[0]!.text);
    expect(await effects('busy')).toBe(1);
  });

  it('passes requests without the header straight through', async () => {
    const before = await effects('orders');
    const a = await post('/orders', { body: { sku: 'NOKEY' } });
    const b = await post('/orders', { body: { sku: 'NOKEY' } });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.text).not.toBe(b.text);
    expect(b.headers.get('idempotent-replayed')).toBeNull();
    expect(await effects('orders')).toBe(before + 2);
  });

  it('rejects a key that is empty or longer than 255 characters with a 400 naming the header', async () => {
    for (const key of ['', 'k'.repeat(256)]) {
      const res = await post('/orders', { key, body: { sku: 'BAD' } });
      expect(res.status).toBe(400);
      const problem = res.json();
      expect(problem.errors).toEqual([{ field: 'headers.Idempotency-Key', message: expect.any(String) }]);
    }
    const longest = await post('/orders', { key: 'k'.repeat(255), body: { sku: 'OK' } });
    expect(longest.status).toBe(201);
  });

  it('does not store a 5xx, so a retry runs the handler again', async () => {
    const key = freshKey();
    flakyFailures = 1;
    const failed = await post('/flaky', { key, body: { n: 1 } });
    expect(failed.status).toBe(500);
    expect(await record(key)).toBeUndefined();
    const retried = await post('/flaky', { key, body: { n: 1 } });
    expect(retried.status).toBe(200);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
    const replayed = await post('/flaky', { key, body: { n: 1 } });
    expect(replayed.text).toBe(retried.text);
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    expect(await effects('flaky')).toBe(2);
  });

  it('stores a 4xx answer and replays it, but not a transient 429', async () => {
    const key = freshKey();
    const first = await post('/rejects', { key, body: { qty: 9 } });
    expect(first.status).toBe(422);
    const again = await post('/rejects', { key, body: { qty: 9 } });
    expect(again.status).toBe(422);
    expect(again.text).toBe(first.text);
    expect(again.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await effects('rejects')).toBe(1);

    const limitedKey = freshKey();
    expect((await post('/limited', { key: limitedKey })).status).toBe(429);
    expect((await post('/limited', { key: limitedKey })).headers.get('idempotent-replayed')).toBeNull();
    expect(await effects('limited')).toBe(2);
  });

  it('replays non-JSON and streamed bodies byte for byte', async () => {
    const key = freshKey();
    const first = await post('/text', { key });
    const again = await post('/text', { key });
    expect(again.text).toBe(first.text);
    expect(again.text).toContain('ünïcödé');
    expect(again.headers.get('content-type')).toBe('text/plain; charset=utf-8');

    const streamKey = freshKey();
    const streamed = await post('/streamed', { key: streamKey });
    const replayed = await post('/streamed', { key: streamKey });
    expect(streamed.status).toBe(202);
    expect(replayed.status).toBe(202);
    expect(replayed.text).toBe(streamed.text);
    expect(replayed.text.split('\n').filter(Boolean)).toHaveLength(2);
  });

  it('keeps the same key from two scopes apart', async () => {
    const key = freshKey();
    const alice = await post('/orders', { key, subject: 'alice', body: { sku: 'X' } });
    const bob = await post('/orders', { key, subject: 'bob', body: { sku: 'Y' } });
    expect([alice.status, bob.status]).toEqual([201, 201]);
    expect(bob.headers.get('idempotent-replayed')).toBeNull();
    expect(bob.json().received).toEqual({ sku: 'Y' });
  });

  it('lets a retry take over a key whose lock expired', async () => {
    slowGate = gate();
    const key = freshKey();
    const before = await effects('slow');
    const abandoned = post('/slow', { key, body: { n: 2 } });
    await slowGate.entered;
    await testDb.db('idempotency_keys').where({ key }).update({ locked_until: testDb.db.raw("now() - interval '1 second'") });
    const takeover = await post('/slow', { key, body: { n: 2 } });
    expect(takeover.status).toBe(201);
    expect(takeover.headers.get('idempotent-replayed')).toBeNull();
    slowGate.release();
    // The abandoned request still finishes; its handler ran too, which is the price of an expired lock.
    expect((await abandoned).status).toBe(201);
    expect(await effects('slow')).toBe(before + 2);
    const replayed = await post('/slow', { key, body: { n: 2 } });
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
  });

  it('forgets keys after the TTL and purges them', async () => {
    const key = freshKey();
    const first = await post('/orders', { key, body: { sku: 'OLD' } });
    await testDb.db('idempotency_keys').where({ key }).update({ created_at: testDb.db.raw("now() - interval '25 hours'") });
    const afterTtl = await post('/orders', { key, body: { sku: 'OLD' } });
    expect(afterTtl.status).toBe(201);
    expect(afterTtl.headers.get('idempotent-replayed')).toBeNull();
    expect(afterTtl.text).not.toBe(first.text);

    const kept = freshKey();
    await post('/orders', { key: kept, body: { sku: 'NEW' } });
    await testDb.db('idempotency_keys').where({ key }).update({ created_at: testDb.db.raw("now() - interval '25 hours'") });
    const purged = await purgeExpiredIdempotencyKeys(testDb.db);
    expect(purged).toBe(1);
    expect(await record(key)).toBeUndefined();
    expect(await record(kept)).toMatchObject({ state: 'done' });
  });
});

describe('canonicalJson', () => {
  it('sorts object keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { y: 1, x: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"x":2,"y":1}]},"b":1}');
    expect(canonicalJson(undefined)).toBe('null');
  });
});
