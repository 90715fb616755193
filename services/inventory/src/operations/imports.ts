import { createHash, randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { skuSchema, warehouseIdSchema } from '@shop/contracts';
import { HttpProblem, JobQueue, type Knex, type Logger, type Principal } from '@shop/kit';
import { hasPermission, inScope } from '../domain/permissions';
import { AlreadyApplied, type Core } from './core';
import { count, receive } from './stock';

export type ImportMode = 'receive' | 'count';

/** Object store as the import needs it (a Cloud Storage bucket in production, a folder locally). */
export interface ImportSource {
  read(uri: string): Promise<Buffer>;
}

export const MAX_IMPORT_ROWS = 50_000;
const quantity = z.coerce.number().int().min(0).max(1_000_000);

const ROW_SCHEMAS = {
  receive: z.object({ warehouse_id: warehouseIdSchema, sku: skuSchema, quantity: quantity.min(1), reference: z.string().max(128).optional() }),
  count: z.object({
    warehouse_id: warehouseIdSchema,
    sku: skuSchema,
    counted_quantity: quantity,
    expected_quantity: z.union([z.literal('').transform(() => undefined), quantity]).optional(),
    reference: z.string().max(128).optional(),
  }),
} as const;

export interface RowError {
  row: number;
  field: string | null;
  message: string;
}

export interface ImportJobView {
  id: string;
  mode: ImportMode;
  source: string;
  dryRun: boolean;
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  totalRows: number | null;
  processedRows: number;
  appliedRows: number;
  skippedRows: number;
  failedRows: number;
  progress: number;
  errors: RowError[];
  failure: string | null;
  createdAt: string;
  finishedAt: string | null;
}

/** A job left running this long by a stopped instance is taken over. */
const STALE_RUNNING_SECONDS = 10 * 60;

interface JobRow {
  id: string;
  mode: ImportMode;
  source: string;
  dry_run: boolean;
  status: ImportJobView['status'];
  actor: string;
  principal: Principal;
  total_rows: number | null;
  processed_rows: number;
  applied_rows: number;
  skipped_rows: number;
  failed_rows: number;
  errors: RowError[];
  failure: string | null;
  created_at: Date;
  finished_at: Date | null;
}

const toView = (r: JobRow): ImportJobView => ({
  id: r.id,
  mode: r.mode,
  source: r.source,
  dryRun: r.dry_run,
  status: r.status,
  totalRows: r.total_rows,
  processedRows: r.processed_rows,
  appliedRows: r.applied_rows,
  skippedRows: r.skipped_rows,
  failedRows: r.failed_rows,
  progress: r.total_rows ? Math.round((r.processed_rows / r.total_rows) * 1000) / 1000 : r.status === 'succeeded' ? 1 : 0,
  errors: r.errors,
  failure: r.failure,
  createdAt: r.created_at.toISOString(),
  finishedAt: r.finished_at ? r.finished_at.toISOString() : null,
});

export async function getImportJob(db: Knex, id: string): Promise<(ImportJobView & { actor: string }) | null> {
  const row = (await db<JobRow>('import_jobs').where({ id }).first()) as JobRow | undefined;
  return row ? { ...toView(row), actor: row.actor } : null;
}

const PROGRESS_EVERY = 50;
const MAX_REPORTED_ERRORS = 1_000;

/**
 * Runs CSV stock imports in the background, one job at a time per instance. Rows are applied
 * once each (keyed by file content and row number), so a re-run or a resumed job never doubles stock.
 */
export class ImportRunner {
  private readonly queue: JobQueue<JobRow>;

  constructor(
    private readonly core: Core,
    private readonly source: ImportSource,
    logger: Logger,
  ) {
    this.queue = new JobQueue<JobRow>({
      db: core.db,
      table: 'import_jobs',
      logger,
      staleAfterSeconds: STALE_RUNNING_SECONDS,
      process: async (job) => {
        await this.process(job);
        return 'done';
      },
    });
  }

  async create(input: { mode: ImportMode; source: string; dryRun: boolean; principal: Principal }): Promise<ImportJobView> {
    const id = randomUUID();
    await this.core.db('import_jobs').insert({
      id,
      mode: input.mode,
      source: input.source,
      dry_run: input.dryRun,
      status: 'queued',
      actor: input.principal.subject,
      principal: JSON.stringify(input.principal),
    });
    this.kick();
    return (await getImportJob(this.core.db, id))!;
  }

  /** Starts processing queued jobs unless already doing so. Jobs left running by a dead instance are requeued. */
  kick(): void {
    this.queue.kick();
  }

  stop(): Promise<void> {
    return this.queue.stop();
  }

  private async process(job: JobRow): Promise<void> {
    let records: Array<Record<string, string>>;
    let content: Buffer;
    try {
      content = await this.source.read(job.source);
      records = parse(content, { columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()), skip_empty_lines: true, trim: true, bom: true, to: MAX_IMPORT_ROWS + 1 }) as Array<Record<string, string>>;
    } catch (err) {
      await this.finish(job.id, 'failed', `could not read ${job.source}: ${(err as Error).message}`);
      return;
    }
    if (records.length > MAX_IMPORT_ROWS) {
      await this.finish(job.id, 'failed', `file has more than ${MAX_IMPORT_ROWS} rows`);
      return;
    }
    const digest = createHash('sha256').update(content).digest('hex').slice(0, 32);
    const totals = { processed: 0, applied: 0, skipped: 0, failed: 0 };
    const errors: RowError[] = [];
    await this.core.db('import_jobs').where({ id: job.id }).update({ total_rows: records.length });
    const knownWarehouses = new Set(((await this.core.db('warehouses').select('id').where({ active: true })) as Array<{ id: string }>).map((w) => w.id));
    const permission = job.mode === 'receive' ? 'stock.receive' : 'stock.count';
    for (const [index, record] of records.entries()) {
      const row = index + 2; // header is line 1
      const outcome = await this.row(job, record, row, digest, knownWarehouses, hasPermission(job.principal, permission));
      totals.processed++;
      if (outcome === 'applied') totals.applied++;
      else if (outcome === 'skipped') totals.skipped++;
      else {
        totals.failed++;
        if (errors.length < MAX_REPORTED_ERRORS) errors.push(...outcome);
      }
      if (totals.processed % PROGRESS_EVERY === 0) await this.progress(job.id, totals, errors);
    }
    await this.progress(job.id, totals, errors);
    await this.finish(job.id, 'succeeded', null);
  }

  private async row(
    job: JobRow,
    record: Record<string, string>,
    row: number,
    digest: string,
    warehouses: Set<string>,
    permitted: boolean,
  ): Promise<'applied' | 'skipped' | RowError[]> {
    const parsed = ROW_SCHEMAS[job.mode].safeParse(record);
    if (!parsed.success) return parsed.error.issues.map((i) => ({ row, field: i.path.join('.') || null, message: i.message }));
    const data = parsed.data;
    if (!warehouses.has(data.warehouse_id)) return [{ row, field: 'warehouse_id', message: `warehouse ${data.warehouse_id} does not exist or is inactive` }];
    if (!permitted || !inScope(job.principal, data.warehouse_id)) {
      return [{ row, field: 'warehouse_id', message: `not permitted to ${job.mode} stock at ${data.warehouse_id}` }];
    }
    if (job.dry_run) return this.dryRunCheck(job.mode, data, row);
    const who = { actor: job.actor, idempotencyKey: null, operationKey: `import:${job.mode}:${digest}:${row}` };
    try {
      if ('quantity' in data) {
        await receive(this.core, who, { warehouseId: data.warehouse_id, sku: data.sku, quantity: data.quantity, reference: data.reference ?? `import ${job.id}` });
      } else {
        await count(this.core, who, {
          warehouseId: data.warehouse_id,
          sku: data.sku,
          expectedOnHand: data.expected_quantity ?? null,
          countedOnHand: data.counted_quantity,
          reference: data.reference ?? `import ${job.id}`,
        });
      }
      return 'applied';
    } catch (err) {
      if (err instanceof AlreadyApplied) return 'skipped';
      if (err instanceof HttpProblem && err.status < 500) return [{ row, field: null, message: err.message }];
      throw err;
    }
  }

  private async dryRunCheck(mode: ImportMode, data: { warehouse_id: string; sku: string; expected_quantity?: number | undefined }, row: number): Promise<'applied' | RowError[]> {
    if (mode === 'count' && data.expected_quantity !== undefined) {
      const current = (await this.core.db('stock_levels').select('on_hand').where({ sku: data.sku, warehouse_id: data.warehouse_id }).first()) as { on_hand: number } | undefined;
      const onHand = current?.on_hand ?? 0;
      if (onHand !== data.expected_quantity) return [{ row, field: 'expected_quantity', message: `on hand is ${onHand}, not ${data.expected_quantity}` }];
    }
    return 'applied';
  }

  private async progress(id: string, t: { processed: number; applied: number; skipped: number; failed: number }, errors: RowError[]): Promise<void> {
    await this.core.db('import_jobs').where({ id }).update({
      processed_rows: t.processed,
      applied_rows: t.applied,
      skipped_rows: t.skipped,
      failed_rows: t.failed,
      errors: JSON.stringify(errors),
    });
  }

  private async finish(id: string, status: 'succeeded' | 'failed', failure: string | null): Promise<void> {
    await this.core.db('import_jobs').where({ id }).update({ status, failure, finished_at: this.core.db.fn.now() });
  }
}
