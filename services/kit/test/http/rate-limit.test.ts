import express from 'express';
import { createHttpApp, createLogger, createRedisCache, listen, MemoryCache, rateLimit, type Cache, type RunningServer } from '@shop/kit';
import { freePort, PrivateRedis } from '../../test-support/private-redis';

const logger = createLogger({ service: 'rate-limit-test', level: 'silent' });

async function serve(cache: Cache, limit: number): Promise<RunningServer> {
  const routes = express.Router();
  routes.get('/limited', rateLimit({ cache, name: `t${Math.random()}`, limit, windowSeconds: 60, keyOf: (req) => req.get('x-client') ?? 'anon' }), (_req, res) => {
    res.json({ ok: true });
  });
  return listen(createHttpApp({ logger, readiness: {}, bodyLimit: '1kb', routes }), 0, '127.0.0.1');
}

const statuses = async (url: string, client: string, n: number): Promise<number[]> => {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await fetch(`${url}/limited`, { headers: { 'x-client': client } })).status);
  return out;
};

describe.each([
  ['the in-process cache', () => Promise.resolve<Cache>(new MemoryCache())],
  ['Redis', () => createRedisCache({ url: 'redis://127.0.0.1:6379', logger, keyPrefix: `rl-${Date.now()}:` })],
])('rateLimit over %s', (_name, make) => {
  let cache: Cache;
  let server: RunningServer;

  beforeAll(async () => {
    cache = await make();
    server = await serve(cache, 3);
  });

  afterAll(async () => {
    await server.close();
    await cache.close();
  });

  it('lets the limit through per client, then answers 429 with Retry-After and a problem', async () => {
    expect(await statuses(server.url, 'a', 5)).toEqual([200, 200, 200, 429, 429]);
    // Another client has its own count.
    expect(await statuses(server.url, 'b', 1)).toEqual([200]);
    const refused = await fetch(`${server.url}/limited`, { headers: { 'x-client': 'a' } });
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(refused.headers.get('ratelimit-remaining')).toBe('0');
    expect(((await refused.json()) as { type: string }).type).toMatch(/rate-limited$/);
  });
});

it('lets requests through while Redis is down rather than refusing everyone', async () => {
  const redis = new PrivateRedis(await freePort());
  await redis.start();
  const cache = await createRedisCache({ url: redis.url, logger, connectTimeoutMs: 300 });
  const server = await serve(cache, 1);
  try {
    expect(await statuses(server.url, 'c', 2)).toEqual([200, 429]);
    await redis.kill();
    expect(await statuses(server.url, 'c', 3)).toEqual([200, 200, 200]);
  } finally {
    await server.close();
    await cache.close();
    await redis.kill();
  }
});
