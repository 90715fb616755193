import { ServiceCallError, ServiceUnavailableError } from '@shop/kit';
import { checkoutFieldOf, type CheckoutErrors } from './checkout-form';

export type CheckoutFailureKind = 'sold_out' | 'declined' | 'timeout' | 'expired' | 'pending' | 'cart' | 'invalid' | 'unavailable';

/** Why an order was not placed, in words a shopper understands, and whether the same attempt may be sent again. */
export interface CheckoutFailure {
  kind: CheckoutFailureKind;
  /** The problem type the JSON API answers with (orders' own where it gave one). */
  slug: string;
  status: number;
  title: string;
  message: string;
  /** The outcome is not known yet: only a resubmit of the same checkout id is safe (it cannot place a second order). */
  keepCheckoutId: boolean;
  fields: CheckoutErrors;
}

const NOT_CHARGED = 'You have not been charged.';

const failure = (kind: CheckoutFailureKind, slug: string, status: number, title: string, message: string, fields: CheckoutErrors = {}): CheckoutFailure => ({
  kind,
  slug,
  status,
  title,
  message,
  keepCheckoutId: kind === 'pending',
  fields,
});

const PENDING = failure('pending', 'checkout-pending', 503, 'We are still placing your order', 'This is taking longer than usual. Please press "Place order" again in a moment: you will not be charged twice.');

export const CART_EMPTY = failure('cart', 'cart-empty', 409, 'Your cart is empty', 'There is nothing to check out.');

/** Orders' answers to a checkout (problem type slugs of POST /v1/checkouts), as the shopper hears them. */
const BY_SLUG: Record<string, CheckoutFailure> = {
  'sold-out': failure('sold_out', 'sold-out', 409, 'Some items sold out', `Sorry, some items in your cart sold out while you were checking out. ${NOT_CHARGED} Please review your cart and try again.`),
  'payment-declined': failure('declined', 'payment-declined', 402, 'Your card was declined', `Your card was declined. ${NOT_CHARGED} Please check the card details or use another card.`),
  'payment-timeout': failure('timeout', 'payment-timeout', 504, 'The payment did not go through', `The payment provider did not answer in time, so we cancelled the payment. ${NOT_CHARGED} Please try again.`),
  'checkout-expired': failure('expired', 'checkout-expired', 409, 'Your checkout took too long', `The items we held for you were released before the payment completed. ${NOT_CHARGED} Please try again.`),
  'checkout-pending': PENDING,
  'prices-changed': failure('cart', 'prices-changed', 409, 'Prices changed', `Some prices changed since you added the items. ${NOT_CHARGED} Please review your cart with the new prices.`),
  'cart-unavailable': failure('cart', 'cart-unavailable', 409, 'Some items can no longer be bought', `Some items in your cart are not on sale any more. ${NOT_CHARGED} Please remove them from your cart.`),
  'cart-empty': CART_EMPTY,
  'currency-mismatch': failure('cart', 'currency-mismatch', 409, 'Your cart needs a look', `Your cart holds items in different currencies. ${NOT_CHARGED} Please review your cart.`),
  'checkout-id-reused': failure('invalid', 'checkout-id-reused', 422, 'Please place the order again', `Your details changed since the last attempt. ${NOT_CHARGED} Please check them and place the order again.`),
  'payment-unavailable': failure('unavailable', 'payment-unavailable', 503, 'Payments are unavailable right now', `We could not reach the payment provider. ${NOT_CHARGED} Please try again in a few minutes.`),
  'inventory-unavailable': failure('unavailable', 'inventory-unavailable', 503, 'Checkout is unavailable right now', `We could not check the stock for your order. ${NOT_CHARGED} Please try again in a few minutes.`),
};

/** The problem's field errors mapped onto the form, for a 400 from orders. */
function fieldErrors(err: ServiceCallError): CheckoutErrors {
  const errors: CheckoutErrors = {};
  const list = err.problem?.errors;
  if (!Array.isArray(list)) return errors;
  for (const e of list) {
    if (typeof e !== 'object' || e === null) continue;
    const field = checkoutFieldOf(String((e as { field?: unknown }).field ?? ''));
    if (field) errors[field] = String((e as { message?: unknown }).message ?? 'is not valid');
  }
  return errors;
}

/** Classifies what the orders service (or the way to it) answered to a checkout; null for what is not a checkout outcome. */
export function checkoutFailure(err: unknown): CheckoutFailure | null {
  // No answer: the order may or may not exist, and only the same checkout id can find out safely.
  if (err instanceof ServiceUnavailableError) return PENDING;
  if (!(err instanceof ServiceCallError)) return null;
  const known = BY_SLUG[err.slug ?? ''];
  if (known) return known;
  if (err.status === 400) return failure('invalid', 'validation', 400, 'Please check your details', 'Some details could not be accepted. Please correct the fields marked below.', fieldErrors(err));
  if (err.status === 404) return CART_EMPTY;
  if (err.status >= 500) return PENDING;
  return null;
}
