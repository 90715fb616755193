import type { ProductStatus } from '@shop/contracts';
import type { Knex } from '@shop/kit';
import type { ProductRecord } from '../domain/products';
import { findProducts } from './products';

export interface AdminFilter {
  q?: string | undefined;
  status?: ProductStatus | undefined;
  deleted: 'exclude' | 'include' | 'only';
  categoryId?: string | undefined;
  cursor?: string | undefined;
  limit: number;
}

interface AdminCursor {
  /** created_at as the database printed it (microseconds kept). */
  c: string;
  id: string;
}

const encode = (c: AdminCursor): string => Buffer.from(JSON.stringify(c)).toString('base64url');

export function decodeAdminCursor(text: string): AdminCursor | null {
  try {
    const v = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Partial<AdminCursor>;
    return typeof v.c === 'string' && v.c.length <= 64 && typeof v.id === 'string' && /^[0-9a-f-]{36}$/.test(v.id) ? { c: v.c, id: v.id } : null;
  } catch {
    return null;
  }
}

/** Every product, drafts and (if asked) deleted ones too, newest first. */
export async function listAdminProducts(db: Knex, f: AdminFilter, cursor: AdminCursor | null): Promise<{ records: ProductRecord[]; nextCursor: string | null }> {
  const where: string[] = [];
  const bindings: unknown[] = [];
  if (f.deleted === 'exclude') where.push('p.deleted_at is null');
  if (f.deleted === 'only') where.push('p.deleted_at is not null');
  if (f.status) {
    where.push('p.status = ?');
    bindings.push(f.status);
  }
  if (f.categoryId) {
    where.push('p.category_id = ?');
    bindings.push(f.categoryId);
  }
  if (f.q) {
    const pattern = `%${f.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push(`(lower(p.name) like ? or p.slug like ? or exists (select 1 from variants v where v.product_id = p.id and lower(v.sku) like ?))`);
    bindings.push(pattern, pattern, pattern);
  }
  if (cursor) {
    where.push('(p.created_at, p.id) < (?::timestamptz, ?::uuid)');
    bindings.push(cursor.c, cursor.id);
  }
  bindings.push(f.limit + 1);
  const result = await db.raw<{ rows: Array<{ id: string; c: string }> }>(
    `select p.id, p.created_at::text as c from products p ${where.length ? `where ${where.join(' and ')}` : ''} order by p.created_at desc, p.id desc limit ?`,
    bindings as Knex.RawBinding[],
  );
  const page = result.rows.slice(0, f.limit);
  const records = new Map((await findProducts(db, page.map((r) => r.id))).map((r) => [r.id, r]));
  const last = page[page.length - 1];
  return {
    records: page.map((r) => records.get(r.id)!),
    nextCursor: result.rows.length > f.limit && last ? encode({ c: last.c, id: last.id }) : null,
  };
}
