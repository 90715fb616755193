import { MAX_CART_LINES } from '@shop/contracts';
import { ServiceCallError } from '@shop/kit';

export const CART_REFUSALS = {
  insufficient_stock: 'Sorry, there is not enough stock for that quantity.',
  unavailable: 'Sorry, that item is not for sale any more.',
  unknown: 'Sorry, we could not find that item.',
  currency: 'That item is priced in another currency than your cart; please check out your cart first.',
  full: `Your cart is full (${MAX_CART_LINES} different items); please remove something first.`,
  busy: 'Your cart was being changed in another window at the same time; please try again.',
} as const;

export type CartRefusal = keyof typeof CART_REFUSALS;

export const isCartRefusal = (code: unknown): code is CartRefusal => typeof code === 'string' && Object.hasOwn(CART_REFUSALS, code);

/** Orders' refusals of a line change (problem type slugs of PUT /v1/carts/{id}/lines/{sku}). */
const BY_SLUG: Record<string, CartRefusal> = {
  'insufficient-stock': 'insufficient_stock',
  'sku-unavailable': 'unavailable',
  'unknown-sku': 'unknown',
  'currency-mismatch': 'currency',
  'cart-full': 'full',
  'cart-busy': 'busy',
};

/** Why orders refused a cart change, when it was the shopper's request (not a fault) that it refused. */
export function cartRefusalOf(err: unknown): CartRefusal | null {
  if (!(err instanceof ServiceCallError) || err.status >= 500) return null;
  return BY_SLUG[err.slug ?? ''] ?? null;
}
