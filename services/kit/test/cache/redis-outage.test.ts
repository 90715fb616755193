import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import { createRedisCache, type RedisCache } from '../../src/cache/redis-cache';
import { eventually } from './contract';
import { PrivateRedis, freePort } from '../../test-support/private-redis';

interface LogLine {
  level: number;
  msg: string;
}

function capturingLogger() {
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as LogLine);
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

/** Runs one call and reports how long it took to settle and what it rejected with. */
async function timed(work: () => Promise<unknown>): Promise<{ ms: number; failure: string | undefined }> {
  const started = Date.now();
  try {
    await work();
    return { ms: Date.now() - started, failure: undefined };
  } catch (error) {
    return { ms: Date.now() - started, failure: String(error) };
  }
}

describe('RedisCache through a Redis outage', () => {
  let redis: PrivateRedis;
  let cache: RedisCache | undefined;

  beforeAll(async () => {
    redis = new PrivateRedis(await freePort());
  });
  afterEach(async () => {
    await cache?.close();
    cache = undefined;
    await redis.kill();
  });

  it('starts while Redis is down, rejects fast, and recovers when Redis comes up', async () => {
    const { logger, lines } = capturingLogger();
    const started = Date.now();
    cache = await createRedisCache({ url: redis.url, logger, keyPrefix: `outage:${randomUUID()}:`, maxReconnectDelayMs: 200 });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(cache.isAvailable()).toBe(false);

    const down = cache;
    const get = await timed(() => down.get('k'));
    expect(get.failure).toMatch(/offline/i);
    expect(get.ms).toBeLessThan(1_000);
    await expect(cache.subscribe('early', () => undefined)).rejects.toThrow();

    await redis.start();
    const live = cache;
    await eventually(() => expect(live.isAvailable()).toBe(true), 10_000);
    await cache.set('k', 'v', 60);
    expect(await cache.get('k')).toBe('v');
    // Retries while down are logged at debug; the outage itself is one warning, not a flood.
    expect(lines.filter((l) => l.level === 40 && l.msg === 'redis unavailable; reconnecting').length).toBeLessThanOrEqual(2);
    expect(lines.filter((l) => l.level === 30 && l.msg === 'redis reconnected').length).toBe(2);
  });

  it('rejects within a second while Redis is down and resumes subscriptions when it returns', async () => {
    await redis.start();
    const { logger, lines } = capturingLogger();
    cache = await createRedisCache({ url: redis.url, logger, keyPrefix: `outage:${randomUUID()}:`, maxReconnectDelayMs: 200 });
    const live = cache;
    expect(cache.isAvailable()).toBe(true);
    const received: string[] = [];
    await cache.subscribe('stock', (m) => received.push(m));
    await cache.publish('stock', 'before');
    await eventually(() => expect(received).toEqual(['before']));

    await redis.kill();
    await eventually(() => expect(live.isAvailable()).toBe(false), 1_000);
    const calls = [
      () => live.get('k'),
      () => live.set('k', 'v', 60),
      () => live.incr('n', 60),
      () => live.del('k'),
      () => live.publish('stock', 'lost'),
      () => live.ping(),
      () => live.subscribe('other', () => undefined),
    ];
    for (const call of calls) {
      const result = await timed(call);
      // Offline, or the in-flight socket closing under it: either way a prompt rejection.
      expect([calls.indexOf(call), result.failure]).toEqual([calls.indexOf(call), expect.stringMatching(/offline|closed/i)]);
      expect(result.ms).toBeLessThan(1_000);
    }
    expect(lines.some((l) => l.level === 40 && l.msg === 'redis unavailable; reconnecting')).toBe(true);

    await redis.start();
    await eventually(() => expect(live.isAvailable()).toBe(true), 10_000);
    await cache.publish('stock', 'after');
    await eventually(() => expect(received).toEqual(['before', 'after']));
    await cache.set('k', 'v', 60);
    expect(await cache.get('k')).toBe('v');
  });
});
