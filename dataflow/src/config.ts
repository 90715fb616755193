import { z } from 'zod';
import { ANALYTICS_JOB, WAREHOUSE_DATASET } from '@shop/contracts';
import { baseConfigSchema, objectSettings, pubsubSettings } from '@shop/kit';
import type { JobSettings } from './runner/settings';

const seconds = (fallback: number, min = 0) => z.coerce.number().min(min).max(86_400).default(fallback);

/** The shards this replica owns: the StatefulSet ordinal, or a list such as `0,1`. */
const shardList = z
  .string()
  .regex(/^\d+(,\d+)*$/, 'must be a shard number or a comma-separated list of them')
  .transform((v) => [...new Set(v.split(',').map(Number))]);

/** Settings of the streaming runner (dataflow/src/main.ts); validated at start-up. */
export const analyticsConfigSchema = baseConfigSchema
  .extend({
    SERVICE_NAME: z.string().default(ANALYTICS_JOB.name),
    // Nothing routes traffic to the runner, so there is nothing to wait for before draining.
    SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(120_000).default(0),
    ...pubsubSettings,
    LOCAL_OBJECTS_DIR: objectSettings.LOCAL_OBJECTS_DIR,
    SHARD: shardList,
    SHARDS: z.coerce.number().int().min(1).max(1024).default(ANALYTICS_JOB.shards),
    /** BigQuery dataset of the warehouse; absent means the DuckDB file WAREHOUSE_FILE. */
    BIGQUERY_DATASET: z.string().regex(/^[A-Za-z0-9_]{1,1024}$/, 'must be a BigQuery dataset id').optional(),
    /** Project of the dataset; GOOGLE_CLOUD_PROJECT by default. */
    BIGQUERY_PROJECT_ID: z.string().optional(),
    WAREHOUSE_FILE: z.string().min(1).default('.local/warehouse.duckdb'),
    /** gs://bucket/folder of the checkpoints (inside LOCAL_OBJECTS_DIR when that is set). */
    CHECKPOINT_LOCATION: z.string().regex(/^gs:\/\/[a-z0-9][a-z0-9._-]{1,221}[a-z0-9](\/.*)?$/, 'must be a gs://bucket/folder URI').default(`gs://${WAREHOUSE_DATASET.replace(/_/g, '-')}-local/checkpoints`),
    ALLOWED_LATENESS_SECONDS: seconds(600),
    MAX_OUT_OF_ORDERNESS_SECONDS: seconds(10),
    IDLE_TIMEOUT_SECONDS: seconds(60, 1),
    PANE_PERIOD_SECONDS: seconds(5, 0.05),
    MAX_FUTURE_SECONDS: seconds(600),
    SNAPSHOT_EVERY: z.coerce.number().int().min(1).max(10_000).default(60),
    /** Messages a subscription holds unacked at once (Pub/Sub flow control). */
    MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
    /** Commit early once this many messages wait for their acks. */
    MAX_PENDING: z.coerce.number().int().min(1).max(1_000_000).default(5_000),
    /** A subscription that delivered nothing for this long is reopened. */
    RESUBSCRIBE_AFTER_SECONDS: seconds(120, 1),
  })
  .superRefine((c, ctx) => {
    for (const shard of c.SHARD) if (shard >= c.SHARDS) ctx.addIssue({ code: 'custom', path: ['SHARD'], message: `shard ${shard} is not below SHARDS (${c.SHARDS})` });
    if (!c.PUBSUB_PROJECT_ID && !c.GOOGLE_CLOUD_PROJECT && !c.PUBSUB_EMULATOR_HOST) {
      ctx.addIssue({ code: 'custom', path: ['PUBSUB_PROJECT_ID'], message: 'the job reads Pub/Sub: set PUBSUB_PROJECT_ID, GOOGLE_CLOUD_PROJECT or PUBSUB_EMULATOR_HOST' });
    }
    if (c.BIGQUERY_DATASET && !c.BIGQUERY_PROJECT_ID && !c.GOOGLE_CLOUD_PROJECT) {
      ctx.addIssue({ code: 'custom', path: ['BIGQUERY_PROJECT_ID'], message: 'BIGQUERY_DATASET needs BIGQUERY_PROJECT_ID or GOOGLE_CLOUD_PROJECT' });
    }
    if (c.NODE_ENV === 'production' && !c.BIGQUERY_DATASET) ctx.addIssue({ code: 'custom', path: ['BIGQUERY_DATASET'], message: 'is required in production (the DuckDB file is for one machine)' });
  });

export type AnalyticsConfig = z.infer<typeof analyticsConfigSchema>;

/** The runner settings a configuration names. */
export function jobSettingsOf(config: AnalyticsConfig): JobSettings {
  return {
    allowedLatenessMs: config.ALLOWED_LATENESS_SECONDS * 1000,
    maxOutOfOrdernessMs: config.MAX_OUT_OF_ORDERNESS_SECONDS * 1000,
    idleTimeoutMs: config.IDLE_TIMEOUT_SECONDS * 1000,
    panePeriodMs: config.PANE_PERIOD_SECONDS * 1000,
    maxFutureMs: config.MAX_FUTURE_SECONDS * 1000,
    snapshotEvery: config.SNAPSHOT_EVERY,
    maxPending: config.MAX_PENDING,
    resubscribeAfterMs: config.RESUBSCRIBE_AFTER_SECONDS * 1000,
  };
}
