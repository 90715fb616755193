import { mkdtempSync, rmSync } from 'node:fs';
import type { Meter } from '@opentelemetry/api';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LocalObjectStore, MemoryBus, createDuckDbWarehouse, createLogger, type EventBus, type Warehouse } from '@shop/kit';
import { startAnalyticsJob, type AnalyticsJob, type JobSettings, type JobStatus } from '@shop/dataflow';

export const silentLogger = createLogger({ service: 'analytics-test', level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

export interface InProcessJob {
  bus: EventBus;
  warehouse: Warehouse;
  job: AnalyticsJob;
  folder: string;
  status(): JobStatus;
  /** Restarts the job on the same checkpoints and warehouse, as a new process would. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** The job as the local platform runs it: in-process bus, DuckDB file, checkpoints in a folder. */
export async function startInProcessJob(options: { shards: number[]; shardCount: number; settings: Partial<JobSettings>; bus?: EventBus; meter?: Meter }): Promise<InProcessJob> {
  const folder = mkdtempSync(path.join(tmpdir(), 'analytics-job-'));
  const bus = options.bus ?? new MemoryBus({ logger: silentLogger, redeliveryDelayMs: 20, maxInFlight: 10_000 });
  const warehouse = await createDuckDbWarehouse({ file: path.join(folder, 'warehouse.duckdb') });
  const objects = new LocalObjectStore(path.join(folder, 'objects'));
  const start = (): Promise<AnalyticsJob> =>
    startAnalyticsJob({ bus, warehouse, objects, checkpointLocation: 'gs://analytics-test/checkpoints', shards: options.shards, shardCount: options.shardCount, logger: silentLogger, settings: options.settings, meter: options.meter });
  const handle: InProcessJob = {
    bus,
    warehouse,
    job: await start(),
    folder,
    status: () => handle.job.status(),
    restart: async () => {
      await handle.job.stop();
      handle.job = await start();
    },
    close: async () => {
      await handle.job.stop();
      await bus.close();
      await warehouse.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
  return handle;
}
