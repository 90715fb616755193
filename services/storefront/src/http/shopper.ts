import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { SESSION_IDLE_SECONDS, SHOPPER_COOKIES, uuidSchema } from '@shop/contracts';
import { parseCookies, serializeCookie, type CookieSigner } from '@shop/kit';

const SHOPPER_COOKIE_SECONDS = 365 * 24 * 60 * 60;
const CART_COOKIE_SECONDS = 30 * 24 * 60 * 60;
/** Orders placed in this browser, so their confirmation pages can be shown again (orders are found by id). */
export const ORDERS_COOKIE = 'orders';
const RECENT_ORDERS = 5;
const ORDERS_COOKIE_SECONDS = 90 * 24 * 60 * 60;
const ORDER_ENTRY = /([A-Z0-9]{1,40})_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/g;

export interface RecentOrder {
  /** Upper case without dashes, as `compactOrderNumber` makes it. */
  number: string;
  id: string;
}

/** An order number in the form shoppers may type it (case and dashes do not matter). */
export const compactOrderNumber = (number: string): string => number.toUpperCase().replace(/[\s-]/g, '');

/** Who is shopping, from the signed cookies; ids that were missing or did not verify are fresh. */
export interface Shopper {
  shopperId: string;
  sessionId: string;
  /** The cart the shopper's cookie names; orders still decides whether it is theirs. */
  cartId: string | null;
}

/** 128 random bits, URL- and cookie-safe, as the activity service mints them too. */
export const newShopperId = (): string => randomBytes(16).toString('base64url');

/**
 * The anonymous shopper (`sid`), activity session (`ssn`, 30 minutes idle) and cart (`cart`)
 * cookies. Only responses that are never cached call this: a Set-Cookie on a cacheable page
 * would stop Cloud CDN from caching it, or worse, hand one shopper's ids to everyone.
 */
export class ShopperCookies {
  /** One shopper per response, however many parts of its handling ask. */
  private readonly attached = new WeakMap<Response, Shopper>();

  constructor(
    private readonly signer: CookieSigner,
    private readonly secure: boolean,
  ) {}

  /** The verified ids on the request, each null when absent, malformed, tampered or signed with another key. */
  read(req: Request): { shopperId: string | null; sessionId: string | null; cartId: string | null } {
    const jar = parseCookies(req.get('cookie'));
    const cart = this.signer.verify(SHOPPER_COOKIES.cart, jar.get(SHOPPER_COOKIES.cart));
    return {
      shopperId: this.signer.verify(SHOPPER_COOKIES.shopper, jar.get(SHOPPER_COOKIES.shopper)),
      sessionId: this.signer.verify(SHOPPER_COOKIES.session, jar.get(SHOPPER_COOKIES.session)),
      cartId: cart !== null && uuidSchema.safeParse(cart).success ? cart : null,
    };
  }

  /** The shopper of a private response: mints what is missing and extends the session by its idle time. */
  attach(req: Request, res: Response): Shopper {
    const known = this.attached.get(res);
    if (known) return known;
    const found = this.read(req);
    const shopperId = found.shopperId ?? newShopperId();
    const sessionId = found.sessionId ?? newShopperId();
    if (!found.shopperId) this.set(res, SHOPPER_COOKIES.shopper, shopperId, SHOPPER_COOKIE_SECONDS);
    this.set(res, SHOPPER_COOKIES.session, sessionId, SESSION_IDLE_SECONDS);
    // A cart cookie without its shopper cookie cannot be theirs: orders would refuse it anyway.
    const shopper = { shopperId, sessionId, cartId: found.shopperId ? found.cartId : null };
    this.attached.set(res, shopper);
    return shopper;
  }

  setCart(res: Response, cartId: string): void {
    this.set(res, SHOPPER_COOKIES.cart, cartId, CART_COOKIE_SECONDS);
  }

  recentOrders(req: Request): RecentOrder[] {
    const value = this.signer.verify(ORDERS_COOKIE, parseCookies(req.get('cookie')).get(ORDERS_COOKIE));
    return value ? [...value.matchAll(ORDER_ENTRY)].map((m) => ({ number: m[1]!, id: m[2]! })) : [];
  }

  /** Remembers an order placed in this browser, newest first, keeping the last few. */
  rememberOrder(req: Request, res: Response, order: { number: string; id: string }): void {
    const entry = { number: compactOrderNumber(order.number), id: order.id };
    if (!/^[A-Z0-9]{1,40}$/.test(entry.number)) return;
    const kept = [entry, ...this.recentOrders(req).filter((o) => o.id !== order.id)].slice(0, RECENT_ORDERS);
    this.set(res, ORDERS_COOKIE, kept.map((o) => `${o.number}_${o.id}`).join('_'), ORDERS_COOKIE_SECONDS);
  }

  clearCart(res: Response): void {
    res.append('Set-Cookie', serializeCookie(SHOPPER_COOKIES.cart, '', { maxAgeSeconds: 0, secure: this.secure }));
  }

  private set(res: Response, name: string, value: string, maxAgeSeconds: number): void {
    res.append('Set-Cookie', serializeCookie(name, this.signer.sign(name, value), { maxAgeSeconds, secure: this.secure, httpOnly: true, sameSite: 'Lax' }));
  }
}
