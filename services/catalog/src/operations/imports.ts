import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { JobQueue, writeOutbox, type Knex, type Logger } from '@shop/kit';
import { productEvent } from '../domain/events';
import { groupRows, headerProblem, locateViolation, mergeGroup, parseRow, type ImportRow, type ProductGroup, type RowError } from '../domain/import-rows';
import { sameState, sameVariant, stateOf, type ProductRecord, type ProductRef, type ProductState } from '../domain/products';
import { findCategoryBySlug } from '../store/categories';
import { findProduct, insertProduct, skuOwners, updateProduct } from '../store/products';
import { invalidate, ProductRejected, type Core } from './core';
import { checkState, snapshotOf } from './product-writes';

/** Object store as the import needs it (a Cloud Storage bucket in production, a folder locally). */
export interface ImportSource {
  read(uri: string): Promise<Buffer>;
}

export const MAX_IMPORT_ROWS = 50_000;
const PROGRESS_EVERY_ROWS = 100;
const MAX_REPORTED_ERRORS = 1_000;
// A job whose instance died is picked up again after this long.
/** A job left running this long by a stopped instance is taken over. */
const STALE_RUNNING_SECONDS = 10 * 60;

export type ImportStatus = 'queued' | 'running' | 'succeeded' | 'failed';

export interface ImportJobView {
  id: string;
  source: string;
  dryRun: boolean;
  status: ImportStatus;
  totalRows: number | null;
  processedRows: number;
  createdRows: number;
  updatedRows: number;
  unchangedRows: number;
  failedRows: number;
  progress: number;
  errors: RowError[];
  failure: string | null;
  createdAt: string;
  finishedAt: string | null;
}

interface JobRow {
  id: string;
  source: string;
  dry_run: boolean;
  status: ImportStatus;
  actor: string;
  total_rows: number | null;
  processed_rows: number;
  created_rows: number;
  updated_rows: number;
  unchanged_rows: number;
  failed_rows: number;
  errors: RowError[];
  failure: string | null;
  created_at: Date;
  finished_at: Date | null;
}

const toView = (r: JobRow): ImportJobView => ({
  id: r.id,
  source: r.source,
  dryRun: r.dry_run,
  status: r.status,
  totalRows: r.total_rows,
  processedRows: r.processed_rows,
  createdRows: r.created_rows,
  updatedRows: r.updated_rows,
  unchangedRows: r.unchanged_rows,
  failedRows: r.failed_rows,
  progress: r.total_rows ? Math.round((r.processed_rows / r.total_rows) * 1000) / 1000 : r.status === 'succeeded' ? 1 : 0,
  errors: r.errors,
  failure: r.failure,
  createdAt: r.created_at.toISOString(),
  finishedAt: r.finished_at ? r.finished_at.toISOString() : null,
});

export async function getImportJob(db: Knex, id: string): Promise<ImportJobView | null> {
  const row = (await db('import_jobs').where({ id }).first()) as JobRow | undefined;
  return row ? toView(row) : null;
}

type RowOutcome = 'created' | 'updated' | 'unchanged';

interface Totals {
  processed: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
}

/** What one product group did (or, in a dry run, would do) per row. */
interface GroupResult {
  outcomes: Map<number, RowOutcome>;
  errors: RowError[];
  /** Pages to drop once committed. */
  stale: ProductRef[];
}

/** Per row: new SKU, changed variant or product, or nothing to do. */
function rowOutcomes(current: ProductRecord | null, next: ProductState, rows: readonly ImportRow[]): Map<number, RowOutcome> {
  const unchanged = current !== null && sameState(current, next);
  const productChanged = current !== null && !sameState({ ...stateOf(current), variants: [] }, { ...next, variants: [] });
  return new Map(
    rows.map((r): [number, RowOutcome] => {
      const before = current?.variants.find((v) => v.sku === r.sku);
      const after = next.variants.find((v) => v.sku === r.sku)!;
      if (unchanged) return [r.line, 'unchanged'];
      if (!before) return [r.line, 'created'];
      return [r.line, productChanged || !sameVariant(before, after) ? 'updated' : 'unchanged'];
    }),
  );
}

const failGroup = (group: ProductGroup, errors: RowError[]): GroupResult => {
  const failing = new Set(errors.map((e) => e.row));
  const others = group.rows
    .filter((r) => !failing.has(r.line))
    .map((r) => ({ row: r.line, field: null, message: `not imported: product ${group.slug} has errors on row ${[...failing].join(', ')}` }));
  return { outcomes: new Map(), errors: [...errors, ...others], stale: [] };
};

/**
 * Runs CSV product imports in the background, one job at a time per instance. Each product is
 * upserted in its own transaction, matched by its SKUs (else by slug); a product the file
 * leaves as it is gets no write, no new version and no event, so importing a file twice
 * changes nothing the second time. A dry run checks every row the same way and writes nothing.
 */
export class ImportRunner {
  private readonly queue: JobQueue<JobRow>;

  constructor(
    private readonly core: Core,
    private readonly source: ImportSource,
    private readonly logger: Logger,
  ) {
    this.queue = new JobQueue<JobRow>({ db: core.db, table: 'import_jobs', logger, staleAfterSeconds: STALE_RUNNING_SECONDS, process: async (job, queue) => ((await this.process(job, queue)) === 'requeued' ? 'requeued' : 'done') });
  }

  async create(input: { source: string; dryRun: boolean; actor: string }): Promise<ImportJobView> {
    const id = randomUUID();
    await this.core.db('import_jobs').insert({ id, source: input.source, dry_run: input.dryRun, status: 'queued', actor: input.actor });
    this.kick();
    return (await getImportJob(this.core.db, id))!;
  }

  /** Starts processing queued jobs unless already doing so; jobs left running by a dead instance are requeued. */
  kick(): void {
    this.queue.kick();
  }

  stop(): Promise<void> {
    return this.queue.stop();
  }

  private async process(job: JobRow, queue: { readonly stopping: boolean }): Promise<'requeued' | void> {
    let records: Array<Record<string, string>>;
    let columns: string[] = [];
    try {
      const content = await this.source.read(job.source);
      records = parse(content, {
        columns: (header: string[]) => (columns = header.map((c) => c.trim().toLowerCase())),
        skip_empty_lines: true,
        trim: true,
        bom: true,
        to: MAX_IMPORT_ROWS + 1,
      }) as Array<Record<string, string>>;
    } catch (err) {
      await this.finish(job.id, 'failed', `could not read ${job.source}: ${(err as Error).message}`);
      return;
    }
    const header = headerProblem(columns);
    if (header) return this.finish(job.id, 'failed', header);
    if (records.length > MAX_IMPORT_ROWS) return this.finish(job.id, 'failed', `file has more than ${MAX_IMPORT_ROWS} rows`);
    await this.core.db('import_jobs').where({ id: job.id }).update({ total_rows: records.length });

    const totals: Totals = { processed: 0, created: 0, updated: 0, unchanged: 0, failed: 0 };
    const errors: RowError[] = [];
    const report = (found: RowError[]) => {
      for (const e of found) if (errors.length < MAX_REPORTED_ERRORS) errors.push(e);
    };
    const valid: ImportRow[] = [];
    records.forEach((record, index) => {
      const parsed = parseRow(record, index + 2); // the header is line 1
      if (Array.isArray(parsed)) report(parsed);
      else valid.push(parsed);
    });
    const grouped = groupRows(valid);
    report(grouped.errors);
    // Rows that failed on their own count now (one error per row from grouping); the rest as their product is done.
    const failedEarly = records.length - valid.length + grouped.errors.length;
    totals.failed += failedEarly;
    totals.processed += failedEarly;

    let sinceCheckpoint = 0;
    let listingsStale = false;
    for (const group of grouped.groups) {
      // Given back for another instance; products already done are skipped there as unchanged.
      if (queue.stopping) return 'requeued';
      const result = await this.group(group, job.dry_run);
      for (const outcome of result.outcomes.values()) totals[outcome]++;
      totals.failed += new Set(result.errors.map((e) => e.row)).size;
      totals.processed += group.rows.length;
      report(result.errors);
      if (result.stale.length) {
        invalidate(this.core, { products: result.stale, listings: false });
        listingsStale = true;
      }
      sinceCheckpoint += group.rows.length;
      if (sinceCheckpoint >= PROGRESS_EVERY_ROWS) {
        sinceCheckpoint = 0;
        await this.progress(job.id, totals, errors);
        if (listingsStale) this.core.cache.invalidateListings();
        listingsStale = false;
      }
    }
    if (listingsStale) this.core.cache.invalidateListings();
    await this.progress(job.id, totals, errors);
    await this.finish(job.id, 'succeeded', null);
  }

  /** Plans one product from its rows and, unless a dry run, writes it with its event. */
  private async group(group: ProductGroup, dryRun: boolean): Promise<GroupResult> {
    const first = group.rows[0]!.line;
    try {
      return await this.core.db.transaction(async (trx) => {
        const owners = await skuOwners(
          trx,
          group.rows.map((r) => r.sku),
        );
        const productIds = [...new Set([...owners.values()].map((o) => o.productId))];
        if (productIds.length > 1) {
          return failGroup(group, [{ row: first, field: 'sku', message: `the SKUs of product ${group.slug} belong to different products: ${productIds.join(', ')}` }]);
        }
        const key = productIds[0] ? { id: productIds[0] } : { slug: group.slug };
        const current = await findProduct(trx, key, { forUpdate: !dryRun });
        if (current?.deletedAt) return failGroup(group, [{ row: first, field: 'sku', message: `product ${current.id} is deleted; restore it first` }]);
        const categorySlug = group.rows[0]!.categorySlug;
        const category = categorySlug ? await findCategoryBySlug(trx, categorySlug) : null;
        if (categorySlug && !category) return failGroup(group, [{ row: first, field: 'category_slug', message: `category ${categorySlug} does not exist` }]);
        const next = mergeGroup(current, group, current?.id ?? randomUUID(), categorySlug ? category!.id : undefined);
        let outcome;
        try {
          outcome = await checkState(trx, current, next);
        } catch (err) {
          if (!(err instanceof ProductRejected)) throw err;
          return failGroup(
            group,
            err.violations.map((v) => {
              const at = locateViolation(group, next, v.field);
              return { row: at.row, field: at.column, message: v.message };
            }),
          );
        }
        const outcomes = rowOutcomes(current, next, group.rows);
        if (dryRun || outcome === 'unchanged') return { outcomes, errors: [], stale: [] };
        if (outcome === 'created') await insertProduct(trx, next);
        else await updateProduct(trx, next);
        const type = outcome === 'created' ? 'catalog.product_created' : 'catalog.product_updated';
        await writeOutbox(trx, [productEvent(type, snapshotOf(next, current ? current.version + 1 : 1, null))]);
        return { outcomes, errors: [], stale: current ? [current, next] : [next] };
      });
    } catch (err) {
      // A concurrent change can still collide (a slug or SKU taken meanwhile): this product fails, the file goes on.
      const constraint = (err as { constraint?: unknown })?.constraint;
      if (typeof constraint !== 'string') throw err;
      this.logger.warn({ err, product: group.slug }, 'import row collided with a concurrent change');
      return failGroup(group, [{ row: first, field: constraint === 'products_slug_live' ? 'product_slug' : 'sku', message: `conflicts with a change made meanwhile (${constraint})` }]);
    }
  }

  private async progress(id: string, t: Totals, errors: RowError[]): Promise<void> {
    await this.core.db('import_jobs')
      .where({ id })
      .update({
        processed_rows: t.processed,
        created_rows: t.created,
        updated_rows: t.updated,
        unchanged_rows: t.unchanged,
        failed_rows: t.failed,
        errors: JSON.stringify([...errors].sort((a, b) => a.row - b.row)),
      });
  }

  private async finish(id: string, status: 'succeeded' | 'failed', failure: string | null): Promise<void> {
    await this.core.db('import_jobs').where({ id }).update({ status, failure, finished_at: this.core.db.fn.now() });
  }
}
