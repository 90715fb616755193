import { baseConfigSchema, ConfigError, databaseSettings, loadConfig, MemoryBus, MemoryCache, openBus, openCache, PubSubBus, RedisCache, tokenSettings, createLogger } from '@shop/kit';

const logger = createLogger({ service: 'settings-test', level: 'silent' });
const schema = baseConfigSchema.extend({ ...databaseSettings, ...tokenSettings });
const valid = { SERVICE_NAME: 'catalog', DATABASE_URL: 'postgres://u@h/db', JWKS_URL: 'https://idp/jwks', JWT_ISSUER: 'https://idp/', JWT_AUDIENCE: 'shop' };

describe('setting groups', () => {
  it('parse trusted workloads and defaults', async () => {
    const config = await loadConfig(schema, { ...valid, TRUSTED_WORKLOADS: 'orders@p.iam.gserviceaccount.com=service' });
    expect(config.TRUSTED_WORKLOADS).toEqual({ 'orders@p.iam.gserviceaccount.com': ['service'] });
    expect(config.MIGRATE_ON_START).toBe(false);
    expect(config.DATABASE_POOL_MAX).toBe(20);
    expect((await loadConfig(schema, valid)).TRUSTED_WORKLOADS).toEqual({});
  });

  it('name the setting that is wrong', async () => {
    const err = await loadConfig(schema, { ...valid, TRUSTED_WORKLOADS: 'orders=service', DATABASE_URL: 'mysql://x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    const issues = (err as ConfigError).issues.join('\n');
    expect(issues).toMatch(/^DATABASE_URL: must be a postgres:\/\/ URL$/m);
    expect(issues).toMatch(/^TRUSTED_WORKLOADS: "orders=service" is not email=role\[\+role\]$/m);
  });
});

describe('adapter selection', () => {
  it('uses the in-process cache and bus when nothing is configured', async () => {
    const cache = await openCache({}, logger);
    expect(cache).toBeInstanceOf(MemoryCache);
    const bus = openBus({}, logger);
    expect(bus).toBeInstanceOf(MemoryBus);
    await Promise.all([cache.close(), bus.close()]);
  });

  it('uses Redis and Pub/Sub when they are configured', async () => {
    const cache = await openCache({ REDIS_URL: 'redis://127.0.0.1:6379' }, logger);
    expect(cache).toBeInstanceOf(RedisCache);
    await expect(cache.ping()).resolves.toBeUndefined();
    const bus = openBus({ PUBSUB_PROJECT_ID: 'settings-test' }, logger);
    expect(bus).toBeInstanceOf(PubSubBus);
    await Promise.all([cache.close(), bus.close()]);
  });
});

