import { z } from 'zod';
import { ORDER_STATUSES, orderViewSchema, shopperIdSchema, skuSchema, uuidSchema } from '@shop/contracts';
import { CHECKOUT_STATUSES } from '../domain/checkout-steps';

export const idParams = z.object({ id: uuidSchema });
export const cartLineParams = z.object({ id: uuidSchema, sku: skuSchema });
export const shopperQuery = z.object({ shopperId: shopperIdSchema.optional() });

export const MAX_PAGE = 100;
export const orderListQuery = z.object({
  status: z.enum(ORDER_STATUSES).optional(),
  shopperId: shopperIdSchema.optional(),
  cursor: z.string().max(512).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(25),
});
export const orderPage = z.object({ items: z.array(orderViewSchema), nextCursor: z.string().nullable() });

export const refundBody = z.strictObject({ reason: z.string().trim().min(1).max(200) });

export const problemView = z.object({ type: z.string(), title: z.string(), status: z.number().int(), detail: z.string().optional() });
export const checkoutStateView = z.object({
  checkoutId: uuidSchema,
  status: z.enum(CHECKOUT_STATUSES),
  order: orderViewSchema.nullable(),
  problem: problemView.loose().nullable(),
});
