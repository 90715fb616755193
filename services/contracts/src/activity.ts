import { z } from 'zod';
import { skuSchema } from './inventory';
import { currencySchema, minorUnitsSchema, sessionIdSchema, shopperIdSchema, uuidSchema } from './money';
import { DEFAULT_SHARD_COUNT, shardOf } from './topics';

export const ACTIVITY_SOURCE = '/services/activity';

export const ACTIVITY_KINDS = [
  'product_viewed',
  'search_performed',
  'cart_item_added',
  'cart_item_removed',
  'checkout_started',
  'purchase_completed',
] as const;
export type ActivityKind = (typeof ACTIVITY_KINDS)[number];

export const activityEventType = (kind: ActivityKind): `activity.${ActivityKind}` => `activity.${kind}`;
export const ACTIVITY_EVENT_TYPES = ACTIVITY_KINDS.map(activityEventType);

const timestamp = z.iso.datetime({ offset: true });
const quantity = z.number().int().min(1).max(10_000);

/** What every shopper activity event carries. Each event is about at most one product. */
const common = {
  shopperId: shopperIdSchema,
  sessionId: sessionIdSchema,
  /** When it happened on the shopper's side; the streaming job windows on it. */
  eventTime: timestamp,
};

const productLine = {
  productId: uuidSchema,
  sku: skuSchema,
  quantity,
  priceMinor: minorUnitsSchema,
  currency: currencySchema,
};

/** What each type adds to the common fields. A purchase is one event per order line. */
const SPECIFIC = {
  product_viewed: { productId: uuidSchema, sku: skuSchema.nullable().default(null) },
  search_performed: { query: z.string().min(1).max(200), resultCount: z.number().int().min(0) },
  cart_item_added: productLine,
  cart_item_removed: productLine,
  checkout_started: { cartId: uuidSchema, itemCount: z.number().int().min(0), valueMinor: minorUnitsSchema, currency: currencySchema },
  purchase_completed: { ...productLine, orderId: uuidSchema },
} as const;

const dataOf = <K extends ActivityKind>(kind: K) => z.object({ ...common, ...SPECIFIC[kind] });

/** Data of each activity event type (`activity.<kind>`). */
export const activityDataSchemas = {
  product_viewed: dataOf('product_viewed'),
  search_performed: dataOf('search_performed'),
  cart_item_added: dataOf('cart_item_added'),
  cart_item_removed: dataOf('cart_item_removed'),
  checkout_started: dataOf('checkout_started'),
  purchase_completed: dataOf('purchase_completed'),
} as const;

export type ActivityData<K extends ActivityKind = ActivityKind> = z.infer<(typeof activityDataSchemas)[K]>;

/** The data schema of a `ce-type`, or undefined for a type that is not an activity event. */
export function activityDataSchemaOf(type: string): z.ZodType | undefined {
  const kind = type.startsWith('activity.') ? type.slice('activity.'.length) : '';
  return (ACTIVITY_KINDS as readonly string[]).includes(kind) ? activityDataSchemas[kind as ActivityKind] : undefined;
}

/**
 * One event as sent to the activity service: by the storefront's server (which knows the shopper)
 * or by the page beacon (the shopper comes from the signed cookie instead). `eventId` lets a
 * retried send be recognised; the service mints one when absent.
 */
const inputOf = <K extends ActivityKind>(kind: K) =>
  z.strictObject({
    type: z.literal(kind),
    eventId: uuidSchema.optional(),
    eventTime: timestamp.optional(),
    shopperId: shopperIdSchema.optional(),
    sessionId: sessionIdSchema.optional(),
    ...SPECIFIC[kind],
  });

export const activityInputSchema = z.discriminatedUnion('type', [
  inputOf('product_viewed'),
  inputOf('search_performed'),
  inputOf('cart_item_added'),
  inputOf('cart_item_removed'),
  inputOf('checkout_started'),
  inputOf('purchase_completed'),
]);
export type ActivityInput = z.infer<typeof activityInputSchema>;

/** Most events one request to the activity service may carry. */
export const MAX_ACTIVITY_BATCH = 100;
export const activityBatchSchema = z.strictObject({ events: z.array(activityInputSchema).min(1).max(MAX_ACTIVITY_BATCH) });

/**
 * Activity events are sharded by shopper: all of a shopper's events (and so all of a session's)
 * land on one analytics shard, which makes per-shard distinct shoppers and sessions add up exactly.
 */
export const activityShard = (shopperId: string, shards: number = DEFAULT_SHARD_COUNT): number => shardOf(shopperId, shards);

/**
 * Cookies the storefront sets (signed with STOREFRONT_COOKIE_KEY) and the activity service reads
 * from the page beacon: the anonymous shopper, the 30-minute activity session, the cart.
 */
export const SHOPPER_COOKIES = { shopper: 'sid', session: 'ssn', cart: 'cart' } as const;
/** A session ends after this long without activity. */
export const SESSION_IDLE_SECONDS = 30 * 60;
