import { createHash } from 'node:crypto';
import type { Cache, Logger } from '@shop/kit';
import type { ProductRef } from '../domain/products';

export interface CacheTtl {
  productSeconds: number;
  listingSeconds: number;
}

export const DEFAULT_CACHE_TTL: CacheTtl = { productSeconds: 300, listingSeconds: 60 };

const GENERATION_KEY = 'catalog:listings:generation';
// Far longer than any listing page lives, so a counter that expired can only restart below pages long gone.
const GENERATION_TTL_SECONDS = 30 * 24 * 3600;
// A reader that loaded a product just before a write committed may store the old page after the first delete; the second one removes it.
const SECOND_DELETE_MS = 1_000;
const RETRY_MS = 1_000;
// Past this many undelivered deletes the TTLs are the backstop.
const MAX_PENDING_KEYS = 10_000;

/** A page as it is sent: its JSON and the ETag computed once, when the page was built. */
export interface Page {
  json: string;
  etag: string;
}

export const pageOf = (json: string): Page => ({ json, etag: `W/"${createHash('sha1').update(json).digest('base64url').slice(0, 27)}"` });

// Stored as `<etag>\n<json>`: one string, so a hit is one GET and no hashing.
const encodePage = (page: Page): string => `${page.etag}\n${page.json}`;

function decodePage(stored: string): Page | null {
  const newline = stored.indexOf('\n');
  return newline < 0 ? null : { etag: stored.slice(0, newline), json: stored.slice(newline + 1) };
}

export const productKeys = {
  id: (id: string): string => `catalog:product:id:${id}`,
  slug: (slug: string): string => `catalog:product:slug:${slug}`,
};

const keysOf = (refs: readonly ProductRef[]): string[] => [...new Set(refs.flatMap((r) => [productKeys.id(r.id), productKeys.slug(r.slug)]))];

/**
 * Cache-aside for product pages and listing pages, holding the JSON exactly as it is sent.
 * The cache only ever speeds reads up: when it is down (or this instance still owes it
 * invalidations) reads go to Postgres, and no write waits for or fails because of it.
 */
export class ReadCache {
  private readonly pendingKeys = new Set<string>();
  /** Generation bumps that failed and are still owed. */
  private owedGenerations = 0;
  private retry: NodeJS.Timeout | null = null;
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(
    private readonly cache: Cache,
    private readonly logger: Logger,
    readonly ttl: CacheTtl = DEFAULT_CACHE_TTL,
  ) {}

  /** Whether reads may use the cache now. */
  private get usable(): boolean {
    return !this.closed && this.cache.isAvailable() && this.pendingKeys.size === 0 && this.owedGenerations === 0;
  }

  /** The cached page under a key, or null on a miss or while the cache is not usable. */
  async get(key: string): Promise<Page | null> {
    if (!this.usable) return null;
    try {
      const stored = await this.cache.get(key);
      return stored === null ? null : decodePage(stored);
    } catch (err) {
      this.logger.debug({ err, key }, 'cache read failed; reading from Postgres');
      return null;
    }
  }

  /** Stores a page under the keys without waiting; a failure only costs a later miss. */
  put(keys: readonly string[], page: Page, ttlSeconds: number): void {
    if (!this.usable) return;
    const stored = encodePage(page);
    for (const key of keys) {
      this.cache.set(key, stored, ttlSeconds).catch((err: unknown) => this.logger.debug({ err, key }, 'cache write failed'));
    }
  }

  putProduct(ref: ProductRef, page: Page): void {
    this.put([productKeys.id(ref.id), productKeys.slug(ref.slug)], page, this.ttl.productSeconds);
  }

  /**
   * The key of a listing page: the current generation plus a digest of the normalised query.
   * Null while the cache is not usable. The generation is read before the page is loaded, so a
   * page loaded before a write is stored under the generation that write retires.
   */
  async listingKey(kind: string, query: unknown): Promise<string | null> {
    if (!this.usable) return null;
    try {
      const generation = (await this.cache.get(GENERATION_KEY)) ?? '0';
      const digest = createHash('sha256').update(JSON.stringify(query)).digest('base64url').slice(0, 32);
      return `catalog:${kind}:${generation}:${digest}`;
    } catch (err) {
      this.logger.debug({ err }, 'cache generation read failed; reading from Postgres');
      return null;
    }
  }

  /** Drops the products' cached pages (by id and by each slug given) after a committed change. */
  invalidateProducts(refs: readonly ProductRef[]): void {
    const keys = keysOf(refs);
    if (!keys.length || this.closed) return;
    void this.delete(keys);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.delete(keys);
    }, SECOND_DELETE_MS);
    timer.unref();
    this.timers.add(timer);
  }

  /** Retires every cached listing page by moving to the next generation. */
  invalidateListings(): void {
    if (this.closed) return;
    void this.bumpGeneration();
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
  }

  private async delete(keys: string[]): Promise<void> {
    try {
      await this.cache.del(...keys);
    } catch (err) {
      this.logger.debug({ err }, 'cache invalidation failed; retrying');
      this.owe(keys);
    }
  }

  private async bumpGeneration(): Promise<void> {
    try {
      await this.cache.incr(GENERATION_KEY, GENERATION_TTL_SECONDS);
    } catch (err) {
      this.logger.debug({ err }, 'listing invalidation failed; retrying');
      this.owedGenerations++;
      this.scheduleRetry();
    }
  }

  private owe(keys: string[]): void {
    for (const key of keys) {
      if (this.pendingKeys.size >= MAX_PENDING_KEYS) {
        this.logger.warn({ dropped: keys.length }, 'too many cache invalidations owed; cached pages expire by TTL');
        break;
      }
      this.pendingKeys.add(key);
    }
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.retry || this.closed) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      void this.settleDebts();
    }, RETRY_MS);
    this.retry.unref();
  }

  /** Delivers owed invalidations once the cache answers again; until then reads skip it. */
  private async settleDebts(): Promise<void> {
    if (this.closed) return;
    if (!this.cache.isAvailable()) {
      this.scheduleRetry();
      return;
    }
    const keys = [...this.pendingKeys];
    const generations = this.owedGenerations;
    try {
      if (keys.length) await this.cache.del(...keys);
      for (const key of keys) this.pendingKeys.delete(key);
      // One bump retires every page, however many were owed.
      if (generations) await this.cache.incr(GENERATION_KEY, GENERATION_TTL_SECONDS);
      this.owedGenerations -= generations;
      if (this.pendingKeys.size || this.owedGenerations) this.scheduleRetry();
    } catch (err) {
      this.logger.debug({ err }, 'owed cache invalidations still failing');
      this.scheduleRetry();
    }
  }
}
