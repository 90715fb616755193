import { z } from 'zod';
import {
  addressSchema,
  cardPaymentSchema,
  cartLineViewSchema,
  currencySchema,
  MAX_LINE_QUANTITY,
  minorUnitsSchema,
  orderLookupQuerySchema,
  skuSchema,
  slugSchema,
  uuidSchema,
  type CartView,
} from '@shop/contracts';

/** The shopper's cart as the JSON API shows it; a shopper without a cart has an empty one with no id. */
export const storefrontCartSchema = z.object({
  id: uuidSchema.nullable(),
  currency: currencySchema.nullable(),
  lines: z.array(cartLineViewSchema),
  itemCount: z.number().int(),
  subtotalMinor: minorUnitsSchema,
});
export type StorefrontCart = z.infer<typeof storefrontCartSchema>;

export const toStorefrontCart = (cart: CartView | null): StorefrontCart =>
  cart
    ? { id: cart.id, currency: cart.currency, lines: cart.lines, itemCount: cart.itemCount, subtotalMinor: cart.subtotalMinor }
    : { id: null, currency: null, lines: [], itemCount: 0, subtotalMinor: 0 };

export const slugParams = z.object({ slug: slugSchema });
export const skuParams = z.object({ sku: skuSchema });
export const orderNumberParams = z.object({ number: z.string().regex(/^[A-Za-z0-9-]{1,40}$/, 'must be an order number') });

export const addItemBody = z.strictObject({ sku: skuSchema, quantity: z.number().int().min(1).max(MAX_LINE_QUANTITY).default(1) });
export const setItemBody = z.strictObject({ quantity: z.number().int().min(0).max(MAX_LINE_QUANTITY) });

export const checkoutRequestSchema = z.strictObject({
  /** Minted by the client once per checkout attempt; sending it again (a retry) never places a second order. */
  checkoutId: uuidSchema,
  email: z.email().max(254),
  shipping: addressSchema,
  payment: cardPaymentSchema,
});

export const lookupBody = z.strictObject(orderLookupQuerySchema.shape);

/** A product page asks for its variants' SKUs; more than this is not a product page. */
export const MAX_SKUS_PER_QUERY = 50;

/** `?skus=A,B,C` for availability and live stock. */
export const skuListQuery = z.object({
  skus: z
    .string()
    .max(MAX_SKUS_PER_QUERY * 65)
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(skuSchema).min(1).max(MAX_SKUS_PER_QUERY)),
});
export const availabilityResult = z.object({ items: z.array(z.object({ sku: skuSchema, available: z.number().int().min(0) })) });
