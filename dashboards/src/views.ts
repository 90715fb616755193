import { WAREHOUSE_TABLES, type TableSpec } from '@shop/contracts';
import type { ViewSpec } from './types';

// GCP project ids (optionally domain-scoped) and BigQuery dataset ids; anything else would break
// out of the backquoted reference.
const PROJECT_ID = /^([a-z][a-z0-9.-]*:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const DATASET_ID = /^[A-Za-z0-9_]{1,1024}$/;

/** A backquoted `project.dataset.table` reference, the form every view uses. */
export function tableRef(project: string, dataset: string, table: string): string {
  if (!PROJECT_ID.test(project)) throw new Error(`invalid GCP project id ${JSON.stringify(project)}`);
  if (!DATASET_ID.test(dataset)) throw new Error(`invalid BigQuery dataset id ${JSON.stringify(dataset)}`);
  return `\`${project}.${dataset}.${table}\``;
}

const { productActivityMinute, inventoryMinute, salesMinute, coViews } = WAREHOUSE_TABLES;

/** Name of the view holding the current pane of every row of an aggregate table. */
export const latestViewName = (table: TableSpec): string => `${table.name}_latest`;

/** The newest pane (greatest `emitted_at`) per contract key: what the row says now. */
function latestPaneView(table: TableSpec): ViewSpec {
  const columns = table.columns.map((c) => c.name).join(', ');
  return {
    name: latestViewName(table),
    description:
      `${table.description}, one row per ${table.key.join(' × ')}: the newest pane only, so early and late ` +
      're-emissions of a window count once. Read this view (or the views built on it), never the table.',
    // The explicit column list keeps the view's schema the table's, without the rank.
    sql: (project, dataset) => `SELECT ${columns}
FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY ${table.key.join(', ')} ORDER BY emitted_at DESC) AS pane_rank
  FROM ${tableRef(project, dataset, table.name)}
) AS panes
WHERE pane_rank = 1`,
  };
}

const productActivityLatest = latestPaneView(productActivityMinute);

/** Revenue adds up only within one currency: any shard or minute with another (or with several) makes it null. */
const singleCurrency = (what: string): string =>
  `CASE WHEN COUNT(DISTINCT currency) > 1 OR COUNT(*) > COUNT(revenue_minor) THEN NULL ELSE ${what} END`;

const productActivityByMinute: ViewSpec = {
  name: 'product_activity_by_minute',
  description:
    'Shopper funnel per product per minute with every analytics shard\'s partial row summed: the current pane of each shard, ' +
    'so counts and distinct shoppers add up exactly (each shopper has one shard). Rates are of the summed counts. Revenue and ' +
    'currency are null when the minute\'s purchases were in more than one currency.',
  sql: (project, dataset) => `SELECT
  window_start,
  window_end,
  product_id,
  SUM(views) AS views,
  SUM(add_to_carts) AS add_to_carts,
  SUM(purchases) AS purchases,
  SUM(units) AS units,
  ${singleCurrency('SUM(revenue_minor)')} AS revenue_minor,
  ${singleCurrency('MAX(currency)')} AS currency,
  SUM(unique_shoppers) AS unique_shoppers,
  SAFE_DIVIDE(SUM(add_to_carts), SUM(views)) AS view_to_cart_rate,
  SAFE_DIVIDE(SUM(purchases), SUM(add_to_carts)) AS cart_to_purchase_rate,
  LOGICAL_AND(is_final) AS is_final
FROM ${tableRef(project, dataset, productActivityLatest.name)}
GROUP BY window_start, window_end, product_id`,
};
const inventoryLatest = latestPaneView(inventoryMinute);
const salesLatest = latestPaneView(salesMinute);
const coViewsLatest = latestPaneView(coViews);

const currentStockByWarehouse: ViewSpec = {
  name: 'current_stock_by_warehouse',
  description:
    'Stock of every SKU at every warehouse now: the levels of its latest minute with stock activity. ' +
    'as_of is the end of that minute.',
  // A SKU's last change may be months old, so this reads all minutes, not just recent partitions.
  sql: (project, dataset) => `SELECT sku, warehouse_id, on_hand, reserved, available, low_stock, window_end AS as_of
FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY sku, warehouse_id ORDER BY window_start DESC) AS recency
  FROM ${tableRef(project, dataset, inventoryLatest.name)}
) AS minutes
WHERE recency = 1`,
};

const lowStockNow: ViewSpec = {
  name: 'low_stock_now',
  description: 'SKUs below their reorder point at a warehouse right now (the low_stock rows of current_stock_by_warehouse).',
  sql: (project, dataset) => `SELECT sku, warehouse_id, on_hand, reserved, available, as_of
FROM ${tableRef(project, dataset, currentStockByWarehouse.name)}
WHERE low_stock`,
};

const productFunnelDaily: ViewSpec = {
  name: 'product_funnel_daily',
  description:
    'Shopper funnel per product per UTC day: views, add-to-carts, purchases, units and revenue, with ' +
    'view→cart and cart→purchase rates. Distinct shoppers cannot be added up across minutes, so ' +
    'peak_minute_shoppers is the largest per-minute count, not the day\'s distinct shoppers. Revenue ' +
    'and currency are null on a day the product sold in more than one currency.',
  sql: (project, dataset) => `SELECT
  DATE(window_start) AS activity_date,
  product_id,
  SUM(views) AS views,
  SUM(add_to_carts) AS add_to_carts,
  SUM(purchases) AS purchases,
  SUM(units) AS units,
  -- Minor units only add up within one currency.
  ${singleCurrency('SUM(revenue_minor)')} AS revenue_minor,
  ${singleCurrency('MAX(currency)')} AS currency,
  -- Rates of the day's sums; averaging the per-minute rates would weight quiet minutes like busy ones.
  SAFE_DIVIDE(SUM(add_to_carts), SUM(views)) AS view_to_cart_rate,
  SAFE_DIVIDE(SUM(purchases), SUM(add_to_carts)) AS cart_to_purchase_rate,
  MAX(unique_shoppers) AS peak_minute_shoppers,
  LOGICAL_AND(is_final) AS is_final
FROM ${tableRef(project, dataset, productActivityByMinute.name)}
GROUP BY activity_date, product_id`,
};

const salesHourly: ViewSpec = {
  name: 'sales_hourly',
  description:
    'Orders, units and revenue of paid orders per UTC hour, currency and category, every analytics shard summed. Units ' +
    'and revenue add up across categories; orders do not (an order with lines in two categories counts in both).',
  sql: (project, dataset) => `SELECT
  TIMESTAMP_TRUNC(window_start, HOUR) AS sales_hour,
  currency,
  category_id,
  SUM(orders) AS orders,
  SUM(units) AS units,
  SUM(revenue_minor) AS revenue_minor,
  LOGICAL_AND(is_final) AS is_final
FROM ${tableRef(project, dataset, salesLatest.name)}
GROUP BY sales_hour, currency, category_id`,
};

/** How many co-viewed products top_co_viewed_pairs keeps per product and day. */
export const TOP_CO_VIEWED = 20;

const topCoViewedPairs: ViewSpec = {
  name: 'top_co_viewed_pairs',
  description:
    `For every product and UTC day, the ${TOP_CO_VIEWED} products most often viewed in the same shopper ` +
    'session, ranked by sessions (rank 1 = most; ties broken by product id). Sessions count on the day they began, every ' +
    'analytics shard summed.',
  sql: (project, dataset) => `WITH daily AS (
  SELECT DATE(window_start) AS view_date, product_id, co_product_id, SUM(sessions) AS sessions
  FROM ${tableRef(project, dataset, coViewsLatest.name)}
  GROUP BY view_date, product_id, co_product_id
  -- A pair a later pane took back to zero is no co-view.
  HAVING SUM(sessions) > 0
),
ranked AS (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY view_date, product_id ORDER BY sessions DESC, co_product_id) AS co_view_rank
  FROM daily
)
SELECT view_date, product_id, co_product_id, sessions, co_view_rank
FROM ranked
WHERE co_view_rank <= ${TOP_CO_VIEWED}`,
};

/**
 * The analyst views, each after every view it reads: infrastructure creates them in this order.
 */
export const ANALYST_VIEWS: readonly ViewSpec[] = [
  productActivityLatest,
  inventoryLatest,
  salesLatest,
  coViewsLatest,
  productActivityByMinute,
  currentStockByWarehouse,
  lowStockNow,
  productFunnelDaily,
  salesHourly,
  topCoViewedPairs,
];
