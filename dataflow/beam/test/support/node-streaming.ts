import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_SHARD_COUNT, WAREHOUSE_TABLE_LIST } from '@shop/contracts';
import { startAnalyticsJob, type AnalyticsJob, type JobSettings, type RawMessage } from '@shop/dataflow';
import { LocalObjectStore, MemoryBus, createDuckDbWarehouse, createLogger, type ResultRow } from '@shop/kit';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface StreamingPhase {
  messages: readonly RawMessage[];
  /** What the next phase waits for, said for a timeout. */
  what: string;
  /** Holds the next phase back until true of the job. */
  until: (job: AnalyticsJob) => boolean;
}

/**
 * The Node runner as the local platform runs it (every shard in one process, the in-process bus,
 * the DuckDB warehouse, checkpoints in a folder), fed phase by phase with messages of the topics
 * it subscribes to; resolves to every row of every table, panes and all.
 */
export async function runNodeStreaming(phases: readonly StreamingPhase[], settings: Partial<JobSettings>): Promise<Record<string, ResultRow[]>> {
  const folder = mkdtempSync(path.join(tmpdir(), 'beam-parity-'));
  const logger = createLogger({ service: 'beam-parity', level: 'silent' });
  const bus = new MemoryBus({ logger, redeliveryDelayMs: 20 });
  const warehouse = await createDuckDbWarehouse({ file: ':memory:' });
  const shards = Array.from({ length: DEFAULT_SHARD_COUNT }, (_, shard) => shard);
  const job = await startAnalyticsJob({ bus, warehouse, objects: new LocalObjectStore(folder), checkpointLocation: 'gs://beam-parity/checkpoints', shards, shardCount: DEFAULT_SHARD_COUNT, logger, settings });
  const waitFor = async (what: string, condition: () => boolean): Promise<void> => {
    const deadline = Date.now() + 10_000;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; shards: ${JSON.stringify(job.status().shards)}`);
      await sleep(20);
    }
  };
  let running = true;
  try {
    let published = 0;
    const applied = (): number => job.status().shards.reduce((n, s) => n + s.counters.events + s.counters.invalid, 0);
    for (const phase of phases) {
      // One message at a time, in order, as a subscription delivers them.
      for (const message of phase.messages) await bus.publish(message.topic, [{ data: Buffer.from(message.data), attributes: message.attributes }]);
      published += phase.messages.length;
      await waitFor(`${published} messages applied`, () => applied() >= published && job.status().shards.every((s) => s.backlog === 0));
      await waitFor(phase.what, () => phase.until(job));
    }
    // Draining commits the last cycle, so every applied event is in a written pane.
    running = false;
    await job.stop();
    const rows: Record<string, ResultRow[]> = {};
    for (const table of WAREHOUSE_TABLE_LIST) rows[table.name] = await warehouse.read(table.name);
    return rows;
  } finally {
    if (running) await job.stop();
    await bus.close();
    await warehouse.close();
    rmSync(folder, { recursive: true, force: true });
  }
}
