import { z } from 'zod';
import { skuSchema } from './inventory';
import { currencySchema, minorUnitsSchema, shopperIdSchema, uuidSchema } from './money';

export const ORDERS_SOURCE = '/services/orders';

export const ORDER_STATUSES = ['pending_payment', 'paid', 'fulfilled', 'cancelled', 'refunded'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const ORDER_EVENT_TYPES = ['order.placed', 'order.paid', 'order.fulfilled', 'order.cancelled', 'order.refunded'] as const;
export type OrderEventType = (typeof ORDER_EVENT_TYPES)[number];

/** A priced line as the order holds it; names and categories are copied so history never changes. */
export const orderLineSchema = z.object({
  productId: uuidSchema,
  sku: skuSchema,
  name: z.string(),
  categoryId: uuidSchema.nullable(),
  quantity: z.number().int().min(1),
  unitPriceMinor: minorUnitsSchema,
  lineTotalMinor: minorUnitsSchema,
});
export type OrderLine = z.infer<typeof orderLineSchema>;

/** Every order event carries the order after the change (subject = order id). */
export const orderEventDataSchema = z.object({
  orderId: uuidSchema,
  orderNumber: z.string(),
  status: z.enum(ORDER_STATUSES),
  shopperId: shopperIdSchema,
  currency: currencySchema,
  subtotalMinor: minorUnitsSchema,
  totalMinor: minorUnitsSchema,
  lines: z.array(orderLineSchema).min(1),
  placedAt: z.iso.datetime({ offset: true }),
  /** Why the order reached this state (cancellation or refund reason), else null. */
  reason: z.string().nullable(),
});
export type OrderEventData = z.infer<typeof orderEventDataSchema>;
