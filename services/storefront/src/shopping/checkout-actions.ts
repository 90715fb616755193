import type { Request, Response } from 'express';
import type { CartView, CheckoutBody, OrderView } from '@shop/contracts';
import { ServiceCallError } from '@shop/kit';
import type { ActivitySink } from '../activity/queue';
import type { OrdersApi } from '../callees/orders';
import { checkoutStartedEvent, purchaseEvents } from '../domain/activity-events';
import { CART_EMPTY, checkoutFailure, type CheckoutFailure } from '../domain/checkout-outcome';
import { compactOrderNumber, type Shopper, type ShopperCookies } from '../http/shopper';

export type PlaceResult = { ok: true; order: OrderView } | { ok: false; failure: CheckoutFailure };

/** While a first submit of the same checkout is still running, a second one asks again this often for its answer. */
const PENDING_WAIT_MS = 1_000;
const PENDING_TRIES = 20;

const pending = (err: unknown): boolean => err instanceof ServiceCallError && err.slug === 'checkout-pending';

/** Placing orders for pages and the JSON API: the outcome in shopper terms, activity for every purchase. */
export class CheckoutActions {
  constructor(
    private readonly orders: OrdersApi,
    private readonly activity: ActivitySink,
    private readonly cookies: ShopperCookies,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** One of the orders placed in this browser, by its number; null for any other. */
  async recent(req: Request, shopper: Shopper, number: string): Promise<OrderView | null> {
    const wanted = compactOrderNumber(number);
    const entry = this.cookies.recentOrders(req).find((o) => o.number === wanted);
    const order = entry ? await this.orders.order(entry.id, shopper.shopperId) : null;
    return order && compactOrderNumber(order.number) === wanted ? order : null;
  }

  /** The order an earlier submit of this checkout placed (its answer was lost, or the back button); null when none. */
  private async placedEarlier(req: Request, res: Response, shopper: Shopper, checkoutId: string): Promise<OrderView | null> {
    const state = await this.orders.checkoutState(checkoutId, shopper.shopperId);
    if (state?.status !== 'succeeded' || !state.order) return null;
    this.cookies.rememberOrder(req, res, state.order);
    return state.order;
  }

  started(cart: CartView, shopper: Shopper): void {
    const event = checkoutStartedEvent(cart, shopper, this.now());
    if (event) this.activity.record(event);
  }

  /**
   * Places the order for the shopper's cart; a repeated checkout id (double submit, retry) gets
   * the order the first submit placed, also once the cart cookie is gone with that order.
   */
  async place(req: Request, res: Response, shopper: Shopper, details: Pick<CheckoutBody, 'checkoutId' | 'email' | 'shipping' | 'payment'>): Promise<PlaceResult> {
    if (!shopper.cartId) {
      const earlier = await this.placedEarlier(req, res, shopper, details.checkoutId);
      return earlier ? { ok: true, order: earlier } : { ok: false, failure: CART_EMPTY };
    }
    const body: CheckoutBody = { ...details, cartId: shopper.cartId, shopperId: shopper.shopperId };
    let order: OrderView | null = null;
    for (let attempt = 1; order === null; attempt++) {
      try {
        order = await this.orders.checkout(body);
      } catch (err) {
        if (pending(err) && attempt < PENDING_TRIES) {
          await new Promise((r) => setTimeout(r, PENDING_WAIT_MS));
          continue;
        }
        const failure = checkoutFailure(err);
        if (!failure) throw err;
        return { ok: false, failure };
      }
    }
    for (const event of purchaseEvents(order, shopper, this.now())) this.activity.record(event);
    this.cookies.clearCart(res);
    this.cookies.rememberOrder(req, res, order);
    return { ok: true, order };
  }
}
