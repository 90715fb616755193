import { ConfigError, loadConfig } from '@shop/kit';
import { analyticsConfigSchema, jobSettingsOf } from '@shop/dataflow';

const load = (env: Record<string, string>) => loadConfig(analyticsConfigSchema, env);

describe('runner settings', () => {
  it('reads the replica\'s shards and the job\'s timing, in seconds', async () => {
    const config = await load({ SHARD: '2', PUBSUB_PROJECT_ID: 'shop-prod', BIGQUERY_DATASET: 'shop_analytics', GOOGLE_CLOUD_PROJECT: 'shop-prod', PANE_PERIOD_SECONDS: '2.5', ALLOWED_LATENESS_SECONDS: '900' });
    expect(config).toMatchObject({ SHARD: [2], SHARDS: 4, SERVICE_NAME: 'analytics', PORT: 8080, SHUTDOWN_GRACE_MS: 0 });
    expect(jobSettingsOf(config)).toMatchObject({ panePeriodMs: 2500, allowedLatenessMs: 900_000, idleTimeoutMs: 60_000, maxPending: 5000 });
    expect((await load({ SHARD: '0,1,1', SHARDS: '2', PUBSUB_EMULATOR_HOST: '127.0.0.1:8085' })).SHARD).toEqual([0, 1]);
  });

  it('refuses to start on a bad setting, naming it', async () => {
    const refused = async (env: Record<string, string>, setting: RegExp): Promise<void> => {
      const err = await load(env).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).issues.join('\n')).toMatch(setting);
    };
    await refused({ PUBSUB_PROJECT_ID: 'p' }, /^SHARD: /m);
    await refused({ SHARD: '4', PUBSUB_PROJECT_ID: 'p' }, /^SHARD: shard 4 is not below SHARDS \(4\)/m);
    await refused({ SHARD: 'one', PUBSUB_PROJECT_ID: 'p' }, /^SHARD: /m);
    await refused({ SHARD: '0' }, /^PUBSUB_PROJECT_ID: the job reads Pub\/Sub/m);
    await refused({ SHARD: '0', PUBSUB_PROJECT_ID: 'p', NODE_ENV: 'production' }, /^BIGQUERY_DATASET: is required in production/m);
    await refused({ SHARD: '0', PUBSUB_PROJECT_ID: 'p', BIGQUERY_DATASET: 'a' }, /^BIGQUERY_PROJECT_ID: /m);
    await refused({ SHARD: '0', PUBSUB_PROJECT_ID: 'p', CHECKPOINT_LOCATION: '/tmp/checkpoints' }, /^CHECKPOINT_LOCATION: /m);
    await refused({ SHARD: '0', PUBSUB_PROJECT_ID: 'p', PANE_PERIOD_SECONDS: '0' }, /^PANE_PERIOD_SECONDS: /m);
  });
});
