import { HttpProblem, problems, writeOutbox, type FieldError, type Knex, type Logger, type OutboxEvent } from '@shop/kit';
import type { ReadCache } from '../cache/read-cache';
import type { ProductRef, RuleViolation } from '../domain/products';
import type { ViewContext } from '../domain/views';
import { SkuTakenError } from '../store/products';

export interface Core {
  db: Knex;
  logger: Logger;
  cache: ReadCache;
  view: ViewContext;
}

export interface WriteOutcome<T> {
  result: T;
  events: OutboxEvent[];
  /** Products whose cached pages must go (with every slug they were reachable by). */
  products: ProductRef[];
  /** Whether cached listing pages (and the category list) are now stale. */
  listings: boolean;
}

/** A product that breaks a rule (400) or collides with another product's slug or SKU (409). */
export class ProductRejected extends Error {
  constructor(
    readonly kind: 'invalid' | 'slug-taken' | 'sku-taken',
    readonly violations: RuleViolation[],
  ) {
    super(violations.map((v) => `${v.field}: ${v.message}`).join('; '));
  }
}

/** The rejection as the admin API answers it, fields named from the request body. */
export function rejectionProblem(err: ProductRejected): HttpProblem {
  const errors: FieldError[] = err.violations.map((v) => ({ field: `body.${v.field}`, message: v.message }));
  if (err.kind === 'invalid') return problems.validation(errors);
  const title = err.kind === 'slug-taken' ? 'Slug is taken' : 'SKU belongs to another product';
  return problems.conflict(err.kind, title, err.message, { errors });
}

const CONSTRAINT_PROBLEMS: Record<string, () => HttpProblem> = {
  products_slug_live: () => problems.conflict('slug-taken', 'Slug is taken', 'Another live product has this slug'),
  variants_pkey: () => problems.conflict('sku-taken', 'SKU belongs to another product', 'One of the SKUs was just taken by another product'),
  categories_slug_key: () => problems.conflict('category-slug-taken', 'Category slug is taken', 'Another category has this slug'),
  categories_no_cycle: () => problems.conflict('category-cycle', 'Category would contain itself', 'A category cannot move under itself or its descendants'),
  products_category_id_fkey: () => problems.conflict('category-missing', 'Category does not exist', 'The category was deleted meanwhile'),
  categories_parent_id_fkey: () => problems.conflict('category-in-use', 'Category is in use', 'The category has child categories, or its parent was deleted meanwhile'),
};

/** Database refusals that a concurrent writer can cause, as the 409s they are. */
function asProblem(err: unknown): unknown {
  if (err instanceof ProductRejected) return rejectionProblem(err);
  if (err instanceof SkuTakenError) return problems.conflict('sku-taken', 'SKU belongs to another product', err.message, { skus: err.skus });
  const constraint = (err as { constraint?: unknown })?.constraint;
  if (typeof constraint === 'string' && constraint in CONSTRAINT_PROBLEMS) return CONSTRAINT_PROBLEMS[constraint]!();
  return err;
}

/**
 * Runs one catalog change: `work` writes rows in a transaction and names its events, which go
 * to the outbox in the same transaction; after the commit the cached pages it made stale are dropped.
 */
export async function write<T>(core: Core, work: (trx: Knex.Transaction) => Promise<WriteOutcome<T>>): Promise<T> {
  let outcome: WriteOutcome<T>;
  try {
    outcome = await core.db.transaction(async (trx) => {
      const done = await work(trx);
      await writeOutbox(trx, done.events);
      return done;
    });
  } catch (err) {
    throw asProblem(err);
  }
  invalidate(core, outcome);
  return outcome.result;
}

export function invalidate(core: Core, outcome: Pick<WriteOutcome<unknown>, 'products' | 'listings'>): void {
  if (outcome.products.length) core.cache.invalidateProducts(outcome.products);
  if (outcome.listings) core.cache.invalidateListings();
}
