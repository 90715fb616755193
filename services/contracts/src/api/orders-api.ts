import { z } from 'zod';
import { optionValuesSchema } from '../catalog';
import { skuSchema } from '../inventory';
import { currencySchema, minorUnitsSchema, shopperIdSchema, uuidSchema } from '../money';
import { ORDER_STATUSES, orderLineSchema } from '../orders';

/**
 * The orders API as the storefront sees it (carts, checkout, orders). The storefront calls it with
 * its service identity and names the shopper in every call; a cart or order of another shopper is
 * answered 404.
 */

export const MAX_LINE_QUANTITY = 99;
export const MAX_CART_LINES = 50;

export const CART_LINE_PROBLEMS = ['unavailable', 'out_of_stock', 'insufficient_stock'] as const;

export const cartLineViewSchema = z.object({
  sku: skuSchema,
  productId: uuidSchema,
  name: z.string(),
  slug: z.string(),
  options: optionValuesSchema,
  quantity: z.number().int().min(1),
  unitPriceMinor: minorUnitsSchema,
  lineTotalMinor: minorUnitsSchema,
  /** Sellable units right now, checked on every change. */
  available: z.number().int(),
  /** Why the line cannot be bought as it is, or null. */
  problem: z.enum(CART_LINE_PROBLEMS).nullable(),
});
export type CartLineView = z.infer<typeof cartLineViewSchema>;

export const cartViewSchema = z.object({
  id: uuidSchema,
  shopperId: shopperIdSchema,
  currency: currencySchema.nullable(),
  lines: z.array(cartLineViewSchema),
  itemCount: z.number().int(),
  subtotalMinor: minorUnitsSchema,
  version: z.number().int(),
  updatedAt: z.string(),
});
export type CartView = z.infer<typeof cartViewSchema>;

export const createCartBodySchema = z.strictObject({ shopperId: shopperIdSchema });
export const cartQuerySchema = z.object({ shopperId: shopperIdSchema });
/** PUT /v1/carts/{id}/lines/{sku}: sets the quantity; 0 removes the line. */
export const setCartLineBodySchema = z.strictObject({ shopperId: shopperIdSchema, quantity: z.number().int().min(0).max(MAX_LINE_QUANTITY) });

export const addressSchema = z.strictObject({
  name: z.string().trim().min(1).max(120),
  line1: z.string().trim().min(1).max(200),
  line2: z.string().trim().max(200).optional(),
  city: z.string().trim().min(1).max(100),
  postalCode: z.string().trim().min(1).max(20),
  /** ISO 3166-1 alpha-2. */
  country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166 country code such as DE'),
});
export type Address = z.infer<typeof addressSchema>;

export const cardPaymentSchema = z.strictObject({
  method: z.literal('card'),
  cardNumber: z.string().regex(/^\d{12,19}$/, 'must be 12 to 19 digits'),
  expiry: z.string().regex(/^(0[1-9]|1[0-2])\/\d{2}$/, 'must look like MM/YY'),
  cvc: z.string().regex(/^\d{3,4}$/, 'must be 3 or 4 digits'),
});

export const checkoutBodySchema = z.strictObject({
  /** Minted when the checkout page is shown; every submit of that page carries it, so a double submit places one order. */
  checkoutId: uuidSchema,
  cartId: uuidSchema,
  shopperId: shopperIdSchema,
  email: z.email().max(254),
  shipping: addressSchema,
  payment: cardPaymentSchema,
});
export type CheckoutBody = z.infer<typeof checkoutBodySchema>;

/** `pending` until the provider has answered the authorization. */
export const PAYMENT_STATES = ['pending', 'authorized', 'captured', 'declined', 'voided', 'refunded'] as const;

export const orderViewSchema = z.object({
  id: uuidSchema,
  number: z.string(),
  status: z.enum(ORDER_STATUSES),
  shopperId: shopperIdSchema,
  email: z.string(),
  currency: currencySchema,
  lines: z.array(orderLineSchema),
  subtotalMinor: minorUnitsSchema,
  shippingMinor: minorUnitsSchema,
  totalMinor: minorUnitsSchema,
  shipping: addressSchema,
  payment: z.object({ state: z.enum(PAYMENT_STATES), brand: z.string(), last4: z.string() }),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type OrderView = z.infer<typeof orderViewSchema>;

export const orderLookupQuerySchema = z.object({ number: z.string().trim().min(1).max(40), email: z.email() });
export const cancelOrderBodySchema = z.strictObject({ reason: z.string().trim().min(1).max(200) });

/**
 * Card numbers of the built-in test payment provider, which never moves money: one is approved,
 * one declined, and one never answers (the checkout gives up after its timeout). Any other
 * number is declined as unknown.
 */
export const TEST_CARDS = {
  approved: '4242424242424242',
  declined: '4000000000000002',
  timeout: '4000000000000119',
} as const;
