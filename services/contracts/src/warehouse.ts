/**
 * Tables of the analytics warehouse (BigQuery in production, DuckDB locally). The streaming job
 * writes them, CDKTF creates them and the analyst views read them, all from these definitions.
 */
export type ColumnType = 'STRING' | 'INT64' | 'FLOAT64' | 'BOOL' | 'TIMESTAMP' | 'DATE' | 'JSON';

export interface Column {
  name: string;
  type: ColumnType;
  required: boolean;
  description: string;
}

export interface TableSpec {
  name: string;
  description: string;
  columns: readonly Column[];
  /** Column the table is partitioned on, by day. */
  partitionColumn: string;
  /** Clustering columns, most selective first (BigQuery allows up to four). */
  clustering: readonly string[];
  /**
   * Columns that identify a row's window and key (with `shard` for per-shard partial rows).
   * Aggregate rows are re-emitted as panes; the newest `emitted_at` per key supersedes earlier
   * ones, so replays never double count.
   */
  key: readonly string[];
}

const col = (name: string, type: ColumnType, description: string, required = true): Column => ({ name, type, required, description });

const WINDOW = [
  col('window_start', 'TIMESTAMP', 'Start of the event-time window (inclusive), UTC'),
  col('window_end', 'TIMESTAMP', 'End of the event-time window (exclusive), UTC'),
];
const PANE = [
  col('pane_timing', 'STRING', 'EARLY (before the watermark passed the window end), ON_TIME (at the watermark, and after it while no late event changed the window) or LATE (a late event updated it)'),
  col('is_final', 'BOOL', 'True once the watermark passed the window end plus the allowed lateness: the value can no longer change'),
  col('emitted_at', 'TIMESTAMP', 'When the pane was emitted; the newest pane per key is the current value'),
];

/**
 * Keys of these tables are spread over the analytics shards (a product is viewed by shoppers of
 * every shard), and no shuffle joins the shards: each shard's runner writes its partial row.
 */
const SHARD = col('shard', 'INT64', 'Analytics shard whose runner computed this partial row');

/** category_id of an order line whose product has no category. */
export const UNCATEGORIZED = 'uncategorized';

export const WAREHOUSE_TABLES = {
  productActivityMinute: {
    name: 'product_activity_minute',
    description: 'Shopper funnel per product per minute, one partial row per analytics shard (views sum the shards)',
    columns: [
      ...WINDOW,
      col('product_id', 'STRING', 'Catalog product id'),
      SHARD,
      col('views', 'INT64', 'product_viewed events'),
      col('add_to_carts', 'INT64', 'cart_item_added events'),
      col('purchases', 'INT64', 'purchase_completed events that contain the product (one per order line)'),
      col('units', 'INT64', 'Units purchased'),
      col('revenue_minor', 'INT64', 'Revenue (units × unit price) in minor units of `currency`; 0 when nothing was bought, null when the purchases were in more than one currency', false),
      col('currency', 'STRING', 'ISO 4217 currency of the revenue; null when nothing was bought or when it was bought in more than one currency', false),
      col('unique_shoppers', 'INT64', 'Distinct anonymous shopper ids with activity on the product (exact); they add up across shards because each shopper has one shard'),
      ...PANE,
    ],
    partitionColumn: 'window_start',
    clustering: ['product_id'],
    key: ['window_start', 'product_id', 'shard'],
  },
  inventoryMinute: {
    name: 'inventory_minute',
    description: 'Stock per SKU and warehouse per minute; complete rows, since a SKU\'s events all land on one analytics shard',
    columns: [
      ...WINDOW,
      col('sku', 'STRING', 'Stock keeping unit'),
      col('warehouse_id', 'STRING', 'Warehouse id'),
      col('on_hand', 'INT64', 'On-hand quantity after the window\'s last event (by event time)'),
      col('reserved', 'INT64', 'Reserved quantity after the window\'s last event'),
      col('available', 'INT64', 'Available quantity after the window\'s last event'),
      col('units_received', 'INT64', 'Units received in the window'),
      col('units_shipped', 'INT64', 'Units fulfilled or shipped out on transfer in the window'),
      col('units_adjusted', 'INT64', 'Net units adjusted or counted in the window'),
      col('low_stock', 'BOOL', 'Whether the SKU was below its reorder point at the end of the window'),
      ...PANE,
    ],
    partitionColumn: 'window_start',
    clustering: ['sku', 'warehouse_id'],
    key: ['window_start', 'sku', 'warehouse_id'],
  },
  salesMinute: {
    name: 'sales_minute',
    description: 'Paid orders (order.paid) per currency and category per minute, one partial row per analytics shard (views sum the shards)',
    columns: [
      ...WINDOW,
      col('currency', 'STRING', 'ISO 4217 currency'),
      col('category_id', 'STRING', `Catalog category id of the product sold; \`${UNCATEGORIZED}\` for lines without a category`),
      SHARD,
      col('orders', 'INT64', 'Orders with at least one line in the category'),
      col('units', 'INT64', 'Units sold'),
      col('revenue_minor', 'INT64', 'Revenue (line totals) in minor units of `currency`'),
      ...PANE,
    ],
    partitionColumn: 'window_start',
    clustering: ['currency', 'category_id'],
    key: ['window_start', 'currency', 'category_id', 'shard'],
  },
  coViews: {
    name: 'co_views',
    description:
      'Pairs of products viewed in the same shopper session (sessions end after 30 minutes without a view), per UTC day the session began, ' +
      'one partial row per analytics shard (views sum the shards)',
    columns: [
      ...WINDOW,
      col('product_id', 'STRING', 'Product viewed'),
      col('co_product_id', 'STRING', 'Another product viewed in the same session'),
      SHARD,
      col('sessions', 'INT64', 'Finished sessions in which both were viewed; each session has one shard, so shards add up'),
      ...PANE,
    ],
    partitionColumn: 'window_start',
    clustering: ['product_id'],
    key: ['window_start', 'product_id', 'co_product_id', 'shard'],
  },
  deadLetter: {
    name: 'dead_letter',
    description: 'Events a transform could not use: invalid, or later than the allowed lateness',
    columns: [
      col('received_at', 'TIMESTAMP', 'When the job received the event'),
      col('transform', 'STRING', 'Transform that rejected the event'),
      col('reason', 'STRING', 'Why it was rejected'),
      col('source_topic', 'STRING', 'Topic the event came from'),
      col('message_id', 'STRING', 'Pub/Sub message id (or the input position for bounded runs)'),
      col('event_id', 'STRING', 'ce-id, when present', false),
      col('event_type', 'STRING', 'ce-type, when present', false),
      col('event_time', 'TIMESTAMP', 'ce-time, when it parsed', false),
      col('raw_payload', 'STRING', 'The message data as received'),
      col('raw_attributes', 'JSON', 'The message attributes as received'),
    ],
    partitionColumn: 'received_at',
    clustering: ['transform', 'reason'],
    key: ['source_topic', 'message_id', 'transform'],
  },
  rawEvents: {
    name: 'raw_events',
    description: 'Every event of every topic as published, written by Pub/Sub BigQuery subscriptions',
    columns: [
      col('subscription_name', 'STRING', 'BigQuery subscription that wrote the row (one per topic)'),
      col('message_id', 'STRING', 'Pub/Sub message id'),
      col('publish_time', 'TIMESTAMP', 'Pub/Sub publish time'),
      col('attributes', 'JSON', 'Message attributes: the CloudEvents context (ce-*) and the shard', false),
      col('data', 'STRING', 'Event data (JSON)', false),
    ],
    partitionColumn: 'publish_time',
    clustering: ['subscription_name'],
    key: ['subscription_name', 'message_id'],
  },
} as const satisfies Record<string, TableSpec>;

export const WAREHOUSE_TABLE_LIST: readonly TableSpec[] = Object.values(WAREHOUSE_TABLES);

/** Name of the analytics dataset in BigQuery (and the schema name in the local warehouse). */
export const WAREHOUSE_DATASET = 'shop_analytics';
