import express from 'express';
import { z } from 'zod';
import { createHttpApp, createLogger, listen, problems, ServiceCallError, ServiceClient, ServiceUnavailableError, type RunningServer, type ServiceCredentials } from '@shop/kit';

const logger = createLogger({ service: 'service-client-test', level: 'silent' });
const itemSchema = z.object({ id: z.string(), n: z.number() });

let server: RunningServer;
const seen: Array<{ method: string; path: string; authorization: string | undefined; idempotencyKey: string | undefined; body: unknown }> = [];
let flaky = 0;

beforeAll(async () => {
  const routes = express.Router();
  routes.use((req, _res, next) => {
    seen.push({ method: req.method, path: req.originalUrl, authorization: req.get('authorization'), idempotencyKey: req.get('idempotency-key'), body: req.body });
    next();
  });
  routes.get('/items/:id', (req, res) => {
    res.json({ id: req.params.id, n: Number(req.query.n ?? 1) });
  });
  routes.get('/wrong-shape', (_req, res) => {
    res.json({ id: 7 });
  });
  routes.get('/sold-out', () => {
    throw problems.conflict('sold-out', 'Sold out', 'Not enough stock');
  });
  routes.get('/slow', (_req, res) => {
    setTimeout(() => res.json({ id: 'slow', n: 1 }), 1_000);
  });
  routes.all('/flaky', (req, res) => {
    flaky += 1;
    if (flaky % 2 === 1) res.status(503).json({ type: 'x', title: 'down', status: 503 });
    else res.json({ id: 'flaky', n: flaky });
  });
  routes.put('/items/:id', (req, res) => {
    res.json({ id: req.params.id, n: (req.body as { n: number }).n });
  });
  server = await listen(createHttpApp({ logger, readiness: {}, bodyLimit: '10kb', routes }), 0, '127.0.0.1');
});

afterAll(async () => {
  await server.close();
});

const credentials: ServiceCredentials = { token: (audience) => Promise.resolve(`token-for-${audience}`) };

describe('ServiceClient', () => {
  let client: ServiceClient;

  beforeAll(() => {
    client = new ServiceClient({ service: 'items', baseUrl: server.url, credentials, timeoutMs: 300 });
  });

  afterAll(() => client.close());

  it('sends a bearer token for the callee and parses the answer with the schema', async () => {
    await expect(client.get('/items/a', itemSchema, { query: { n: 5, skipped: undefined } })).resolves.toEqual({ id: 'a', n: 5 });
    const call = seen.at(-1)!;
    expect(call.path).toBe('/items/a?n=5');
    expect(call.authorization).toBe('Bearer token-for-items');
  });

  it('turns the callee\'s problem into a ServiceCallError carrying it', async () => {
    const err = await client.get('/sold-out', itemSchema).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceCallError);
    expect((err as ServiceCallError).status).toBe(409);
    expect((err as ServiceCallError).slug).toBe('sold-out');
    expect((err as ServiceCallError).problem?.detail).toBe('Not enough stock');
  });

  it('refuses an answer that does not match the contract', async () => {
    await expect(client.get('/wrong-shape', itemSchema)).rejects.toThrow(ServiceUnavailableError);
  });

  it('gives up after the timeout', async () => {
    const err = await client.get('/slow', itemSchema).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceUnavailableError);
    expect((err as ServiceUnavailableError).timedOut).toBe(true);
  });

  it('retries a read and a keyed POST once after a 503, but never a POST without a key', async () => {
    flaky = 0;
    await expect(client.get('/flaky', itemSchema)).resolves.toEqual({ id: 'flaky', n: 2 });
    await expect(client.post('/flaky', { a: 1 }, itemSchema, { idempotencyKey: 'k-1' })).resolves.toEqual({ id: 'flaky', n: 4 });
    expect(seen.filter((c) => c.path === '/flaky' && c.method === 'POST').map((c) => c.idempotencyKey)).toEqual(['k-1', 'k-1']);
    const err = await client.post('/flaky', { a: 1 }, itemSchema).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceCallError);
    expect((err as ServiceCallError).status).toBe(503);
  });

  it('sends JSON bodies', async () => {
    await expect(client.put('/items/b', { n: 9 }, itemSchema)).resolves.toEqual({ id: 'b', n: 9 });
    expect(seen.at(-1)!.body).toEqual({ n: 9 });
  });

  it('reports an unreachable callee as unavailable', async () => {
    const nobody = new ServiceClient({ service: 'nobody', baseUrl: 'http://127.0.0.1:1', timeoutMs: 300 });
    await expect(nobody.get('/x', itemSchema)).rejects.toThrow(/nobody is unavailable/);
    nobody.close();
  });
});
