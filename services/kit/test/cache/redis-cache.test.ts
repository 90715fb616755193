import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { createClient } from 'redis';
import { createRedisCache } from '../../src/cache/redis-cache';
import { cacheContract, eventually } from './contract';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
// The shared Redis serves parallel test files: every key and channel here carries this prefix.
const prefix = () => `test:kit-cache:${randomUUID()}:`;
const logger = pino({ level: 'silent' });

cacheContract('RedisCache', () => createRedisCache({ url: REDIS_URL, logger, keyPrefix: prefix() }));

describe('RedisCache', () => {
  const raw = createClient({ url: REDIS_URL });

  beforeAll(async () => {
    await raw.connect();
  });
  afterAll(async () => {
    raw.destroy();
  });

  it('stores keys under the prefix with the TTL in Redis', async () => {
    const keyPrefix = prefix();
    const cache = await createRedisCache({ url: REDIS_URL, logger, keyPrefix });
    await cache.set('item', 'value', 60);
    await cache.incr('hits', 30);
    expect(await raw.get(`${keyPrefix}item`)).toBe('value');
    expect(await raw.get('item')).toBeNull();
    const ttl = await raw.pTTL(`${keyPrefix}hits`);
    expect(ttl).toBeGreaterThan(25_000);
    expect(ttl).toBeLessThanOrEqual(30_000);
    await cache.close();
  });

  it('fans out across instances: a message published by one reaches subscribers of another', async () => {
    const keyPrefix = prefix();
    const a = await createRedisCache({ url: REDIS_URL, logger, keyPrefix });
    const b = await createRedisCache({ url: REDIS_URL, logger, keyPrefix });
    const got: string[] = [];
    const stop = await b.subscribe('live', (m) => got.push(m));
    await a.publish('live', 'from-a');
    await eventually(() => expect(got).toEqual(['from-a']));
    await stop();
    await Promise.all([a.close(), b.close()]);
  });

  it('keeps channels of different prefixes apart', async () => {
    const a = await createRedisCache({ url: REDIS_URL, logger, keyPrefix: prefix() });
    const b = await createRedisCache({ url: REDIS_URL, logger, keyPrefix: prefix() });
    const got: string[] = [];
    const stop = await b.subscribe('live', (m) => got.push(m));
    await a.publish('live', 'elsewhere');
    await b.publish('live', 'here');
    await eventually(() => expect(got).toEqual(['here']));
    await stop();
    await Promise.all([a.close(), b.close()]);
  });
});
