import { cartViewSchema, type CartView } from '@shop/contracts';
import type { Cache, Logger } from '@shop/kit';

/**
 * Read cache of cart views. Entries are keyed by cart version, so a change (a new version) can never
 * be hidden by a stale entry, even one whose delete was lost while Redis was down. Every cache
 * failure is a miss: Postgres answers instead.
 */
export class CartViews {
  constructor(
    private readonly cache: Cache,
    private readonly logger: Logger,
    private readonly ttlSeconds: number,
  ) {}

  private key(id: string, version: number): string {
    return `orders:cart:${id}:v${version}`;
  }

  async get(id: string, version: number): Promise<CartView | null> {
    try {
      const text = await this.cache.get(this.key(id, version));
      if (!text) return null;
      const parsed = cartViewSchema.safeParse(JSON.parse(text));
      return parsed.success ? parsed.data : null;
    } catch (err) {
      this.logger.debug({ err, cartId: id }, 'cart cache read failed; reading Postgres');
      return null;
    }
  }

  async put(view: CartView): Promise<void> {
    try {
      await this.cache.set(this.key(view.id, view.version), JSON.stringify(view), this.ttlSeconds);
    } catch (err) {
      this.logger.debug({ err, cartId: view.id }, 'cart cache write failed');
    }
  }

  /** Frees the memory of superseded views; correctness never depends on it. */
  async drop(carts: ReadonlyArray<{ id: string; version: number }>): Promise<void> {
    if (!carts.length) return;
    try {
      await this.cache.del(...carts.map((c) => this.key(c.id, c.version)));
    } catch (err) {
      this.logger.debug({ err, carts: carts.length }, 'cart cache delete failed; the entries expire on their own');
    }
  }
}
