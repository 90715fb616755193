import { randomUUID } from 'node:crypto';
import { HttpProblem, problems, type Knex } from '@shop/kit';
import type { CartView, SkuPrice } from '@shop/contracts';
import type { CatalogPrices } from '../clients/catalog';
import type { InventoryClient } from '../clients/inventory';
import { cartView, changeLine, refreshLines, type CartHeader, type LineRefusal, type StoredLine } from '../domain/cart';
import { cartHeader, cartLines, insertCart, saveCart } from '../store/carts';
import type { CartViews } from './cart-views';

export interface CartsDeps {
  db: Knex;
  catalog: CatalogPrices;
  inventory: InventoryClient;
  views: CartViews;
}

const MAX_ATTEMPTS = 3;
const SKU_FIELD = 'params.sku';
const QUANTITY_FIELD = 'body.quantity';

function refusalProblem(sku: string, refusal: LineRefusal): HttpProblem {
  switch (refusal.kind) {
    case 'unknown-sku':
      return new HttpProblem(422, 'unknown-sku', 'Unknown SKU', `${sku} is not in the catalog`, { errors: [{ field: SKU_FIELD, message: 'is not in the catalog' }] });
    case 'unsellable':
      return new HttpProblem(422, 'sku-unavailable', 'SKU cannot be bought', `${sku} is not on sale`, { errors: [{ field: SKU_FIELD, message: 'is not on sale' }] });
    case 'currency-mismatch':
      return problems.conflict('currency-mismatch', 'Another currency', `The cart is in ${refusal.cartCurrency}; ${sku} is priced in ${refusal.skuCurrency}`, {
        errors: [{ field: SKU_FIELD, message: `is priced in ${refusal.skuCurrency}, the cart in ${refusal.cartCurrency}` }],
      });
    case 'insufficient-stock':
      return problems.conflict('insufficient-stock', 'Not enough stock', `Only ${refusal.available} of ${sku} available`, {
        sku,
        available: refusal.available,
        errors: [{ field: QUANTITY_FIELD, message: `exceeds the ${refusal.available} available` }],
      });
    case 'cart-full':
      return problems.conflict('cart-full', 'Cart is full', `A cart holds at most ${refusal.limit} lines`, { limit: refusal.limit, errors: [{ field: SKU_FIELD, message: `would be line ${refusal.limit + 1}` }] });
  }
}

/** Carts: Postgres holds them, the view cache serves reads, catalog and inventory check every change. */
export class Carts {
  constructor(private readonly deps: CartsDeps) {}

  async create(shopperId: string): Promise<CartView> {
    const view = cartView(await insertCart(this.deps.db, randomUUID(), shopperId), []);
    await this.deps.views.put(view);
    return view;
  }

  /** The shopper's cart, or 404 (also when it belongs to someone else). */
  async header(id: string, shopperId: string, trx?: Knex.Transaction): Promise<CartHeader> {
    const found = await cartHeader(trx ?? this.deps.db, id, Boolean(trx));
    if (!found || found.shopperId !== shopperId) throw problems.notFound(`Cart ${id}`);
    return found;
  }

  async view(id: string, shopperId: string): Promise<CartView> {
    const found = await this.header(id, shopperId);
    const cached = await this.deps.views.get(id, found.version);
    if (cached) return cached;
    const view = cartView(found, await cartLines(this.deps.db, id));
    await this.deps.views.put(view);
    return view;
  }

  async lines(id: string, shopperId: string): Promise<StoredLine[]> {
    await this.header(id, shopperId);
    return cartLines(this.deps.db, id);
  }

  /** Sets a line's quantity (0 removes it), re-pricing and re-checking every line of the cart. */
  async setLine(id: string, shopperId: string, sku: string, quantity: number): Promise<CartView> {
    for (let attempt = 1; ; attempt++) {
      const before = await this.lines(id, shopperId);
      const skus = new Set([...before.map((l) => l.sku), ...(quantity > 0 ? [sku] : [])]);
      const [prices, available] = skus.size ? await Promise.all([this.deps.catalog.prices([...skus]), this.deps.inventory.availability([...skus])]) : [new Map(), new Map<string, number>()];
      const outcome = await this.deps.db.transaction(async (trx) => {
        const locked = await this.header(id, shopperId, trx);
        const current = await cartLines(trx, id);
        // A line added concurrently was not priced with the others: price everything again.
        if (current.some((l) => !skus.has(l.sku))) return null;
        const change = changeLine(current, sku, quantity, prices, available);
        if (!change.ok) throw refusalProblem(sku, change.refusal);
        const saved = await saveCart(trx, id, change.lines, change.currency);
        return { view: cartView(saved, change.lines), superseded: { id, version: locked.version } };
      });
      if (outcome) {
        await Promise.all([this.deps.views.put(outcome.view), this.deps.views.drop([outcome.superseded])]);
        return outcome.view;
      }
      if (attempt === MAX_ATTEMPTS) throw problems.conflict('cart-busy', 'Cart is changing', 'The cart was changed by several requests at once; repeat the request');
    }
  }

  /**
   * Writes fresh catalog prices into the cart's lines (stock as last seen), so a shopper whose
   * checkout was refused for a changed price sees the cart as it now is. Returns the new view.
   */
  async reprice(id: string, shopperId: string, prices: ReadonlyMap<string, SkuPrice>): Promise<CartView> {
    const { view, superseded } = await this.deps.db.transaction(async (trx) => {
      const locked = await this.header(id, shopperId, trx);
      const current = await cartLines(trx, id);
      const lines = refreshLines(current, prices, new Map(current.map((l) => [l.sku, l.available])), locked.currency);
      const saved = await saveCart(trx, id, lines, locked.currency);
      return { view: cartView(saved, lines), superseded: { id, version: locked.version } };
    });
    await Promise.all([this.deps.views.put(view), this.deps.views.drop([superseded])]);
    return view;
  }
}
