import type { Meter } from '@opentelemetry/api';
import type { EventBus, Logger, ObjectStore, Warehouse } from '@shop/kit';
import { createCheckpointStore } from './checkpoint';
import { createRunnerMetrics } from './metrics';
import { DEFAULT_SETTINGS, type JobSettings } from './settings';
import { ShardRunner, type ShardStatus } from './shard-runner';

export interface AnalyticsJobOptions {
  bus: EventBus;
  warehouse: Warehouse;
  /** Where checkpoints live: Cloud Storage in production, a local folder on one machine. */
  objects: ObjectStore;
  /** Folder of the checkpoints, e.g. gs://bucket/analytics/checkpoints; each shard gets a folder in it. */
  checkpointLocation: string;
  /** Shards this process owns: one (the StatefulSet ordinal) on GKE, every shard locally. */
  shards: readonly number[];
  /** How many shards the publishers stamp (and so how keys are split). */
  shardCount: number;
  logger: Logger;
  settings?: Partial<JobSettings>;
  meter?: Meter;
  now?: () => number;
}

export interface JobStatus {
  shardCount: number;
  shards: ShardStatus[];
}

export interface AnalyticsJob {
  status(): JobStatus;
  /** Drains every shard: commits and acks what was applied, then closes the subscriptions. */
  stop(): Promise<void>;
}

/** Checkpoint folder of one shard; the shard count is part of it, since a new count splits keys anew. */
export const shardCheckpointFolder = (location: string, shard: number, shardCount: number): string => `${location.replace(/\/$/, '')}/shard-${shard}-of-${shardCount}`;

/**
 * Starts the streaming analytics job in this process, one runner per owned shard, each restored
 * from its checkpoint. The local platform calls it with the in-process bus and the DuckDB
 * warehouse; main.ts with Pub/Sub and BigQuery.
 */
export async function startAnalyticsJob(options: AnalyticsJobOptions): Promise<AnalyticsJob> {
  const settings: JobSettings = { ...DEFAULT_SETTINGS, ...options.settings };
  for (const shard of options.shards) {
    if (!Number.isInteger(shard) || shard < 0 || shard >= options.shardCount) throw new Error(`shard ${shard} is not one of the ${options.shardCount} shards`);
  }
  const runners: ShardRunner[] = [];
  const metrics = createRunnerMetrics(() => runners.map((r) => r.status()), options.meter);
  const now = options.now ?? Date.now;
  try {
    for (const shard of options.shards) {
      runners.push(
        await ShardRunner.start({
          shard,
          bus: options.bus,
          warehouse: options.warehouse,
          checkpoints: createCheckpointStore(options.objects, shardCheckpointFolder(options.checkpointLocation, shard, options.shardCount), settings.snapshotEvery),
          logger: options.logger,
          settings,
          metrics,
          now,
        }),
      );
    }
  } catch (err) {
    await Promise.all(runners.map((r) => r.drain()));
    throw err;
  }
  return {
    status: () => ({ shardCount: options.shardCount, shards: runners.map((r) => r.status()) }),
    stop: async () => {
      await Promise.all(runners.map((r) => r.drain()));
    },
  };
}
