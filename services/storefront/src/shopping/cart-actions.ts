import { randomUUID } from 'node:crypto';
import type { Response } from 'express';
import { MAX_LINE_QUANTITY, type CartView } from '@shop/contracts';
import type { ActivitySink } from '../activity/queue';
import type { InventoryApi } from '../callees/inventory';
import type { OrdersApi } from '../callees/orders';
import { cartChangeEvents } from '../domain/activity-events';
import { withStock } from '../domain/cart-stock';
import type { Shopper, ShopperCookies } from '../http/shopper';

/** Cart changes for pages and the JSON API alike: orders keeps the cart, activity hears about every change. */
export class CartActions {
  constructor(
    private readonly orders: OrdersApi,
    private readonly inventory: InventoryApi,
    private readonly activity: ActivitySink,
    private readonly cookies: ShopperCookies,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The shopper's cart, or null when they have none (or the cookie names one that is not theirs). */
  current(shopper: Shopper): Promise<CartView | null> {
    return shopper.cartId ? this.orders.cart(shopper.cartId, shopper.shopperId) : Promise.resolve(null);
  }

  /** The shopper's cart with its lines' stock as of now, for showing it; as orders last saw it when inventory cannot say. */
  async currentWithStock(shopper: Shopper): Promise<CartView | null> {
    const cart = await this.current(shopper);
    if (!cart || cart.lines.length === 0) return cart;
    try {
      const totals = await this.inventory.availability(cart.lines.map((l) => l.sku));
      return withStock(cart, new Map(totals.map((t) => [t.sku, t.available])));
    } catch {
      return cart;
    }
  }

  /** Adds units of a SKU, creating the cart (and its cookie) on the first add; quantities stop at the line maximum. */
  async add(res: Response, shopper: Shopper, sku: string, quantity: number): Promise<CartView> {
    let cart = await this.current(shopper);
    if (!cart) {
      cart = await this.orders.createCart(shopper.shopperId, randomUUID());
      this.cookies.setCart(res, cart.id);
    }
    const existing = cart.lines.find((l) => l.sku === sku)?.quantity ?? 0;
    return this.change(cart, shopper, sku, Math.min(MAX_LINE_QUANTITY, existing + quantity));
  }

  /** Sets a line's quantity (0 removes it); null when the shopper has no cart. */
  async set(shopper: Shopper, sku: string, quantity: number): Promise<CartView | null> {
    const cart = await this.current(shopper);
    if (!cart) return null;
    if (quantity === 0 && !cart.lines.some((l) => l.sku === sku)) return cart;
    return this.change(cart, shopper, sku, quantity);
  }

  private async change(cart: CartView, shopper: Shopper, sku: string, quantity: number): Promise<CartView> {
    const after = await this.orders.setLine(cart.id, shopper.shopperId, sku, quantity);
    for (const event of cartChangeEvents(cart, after, shopper, this.now())) this.activity.record(event);
    return after;
  }
}
