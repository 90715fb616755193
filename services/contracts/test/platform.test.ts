import { SERVICE_LIST, SUBSCRIPTIONS, TOPICS, ANALYTICS_JOB, WAREHOUSE_TABLES, WAREHOUSE_TABLE_LIST, shardFilter, shardOf } from '@shop/contracts';

describe('platform contract', () => {
  it('gives every topic a publisher and every publisher a known topic', () => {
    const published = new Set(SERVICE_LIST.flatMap((s) => s.publishes));
    expect([...published].sort()).toEqual(Object.values(TOPICS).sort());
  });

  it('names subscriptions uniquely and validly for Pub/Sub', () => {
    const names = SUBSCRIPTIONS.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[A-Za-z][A-Za-z0-9._~%+-]{2,254}$/);
  });

  it('gives the analytics job exactly one subscription per shard of every topic, filtered to the shard publishers stamp', () => {
    for (const topic of Object.values(TOPICS)) {
      const shards = SUBSCRIPTIONS.filter((s) => s.consumer === ANALYTICS_JOB.name && s.topic === topic);
      expect(shards.map((s) => s.filter)).toEqual(Array.from({ length: ANALYTICS_JOB.shards }, (_, n) => shardFilter(n)));
    }
    // A key's shard is one of the filtered shards.
    expect(shardFilter(shardOf('SKU-1', ANALYTICS_JOB.shards))).toMatch(/^attributes\.shard = "[0-3]"$/);
  });

  it('orders only inventory subscriptions, whose events carry the SKU as ordering key', () => {
    expect(SUBSCRIPTIONS.filter((s) => s.ordered).every((s) => s.topic === TOPICS.inventory)).toBe(true);
    expect(SUBSCRIPTIONS.some((s) => s.ordered)).toBe(true);
  });
});

describe('warehouse tables', () => {
  it('partition, cluster and key on columns they have, within BigQuery limits', () => {
    for (const table of WAREHOUSE_TABLE_LIST) {
      const columns = new Map(table.columns.map((c) => [c.name, c]));
      expect(columns.size).toBe(table.columns.length);
      expect(columns.get(table.partitionColumn)?.type).toBe('TIMESTAMP');
      expect(table.clustering.length).toBeGreaterThan(0);
      expect(table.clustering.length).toBeLessThanOrEqual(4);
      for (const name of [...table.clustering, ...table.key]) expect({ table: table.name, column: name, known: columns.has(name) }).toEqual({ table: table.name, column: name, known: true });
      for (const name of table.key) expect(columns.get(name)?.required).toBe(true);
      expect(table.name).toMatch(/^[a-z][a-z0-9_]*$/);
    }
  });

  it('gives every aggregate table a window and pane columns so the newest pane wins', () => {
    const aggregates = WAREHOUSE_TABLE_LIST.filter((t) => t.partitionColumn === 'window_start');
    expect(aggregates.map((t) => t.name).sort()).toEqual(['co_views', 'inventory_minute', 'product_activity_minute', 'sales_minute']);
    for (const table of aggregates) {
      expect(table.columns.map((c) => c.name)).toEqual(expect.arrayContaining(['window_start', 'window_end', 'emitted_at', 'is_final', 'pane_timing']));
      expect(table.key[0]).toBe('window_start');
    }
  });

  it('keys per-shard partial rows by shard, and keeps rows keyed by the shard key complete', () => {
    const { productActivityMinute, salesMinute, coViews, inventoryMinute } = WAREHOUSE_TABLES;
    for (const table of [productActivityMinute, salesMinute, coViews]) {
      expect({ table: table.name, key: table.key.at(-1) }).toEqual({ table: table.name, key: 'shard' });
      expect(table.columns.find((c) => c.name === 'shard')).toMatchObject({ type: 'INT64', required: true });
    }
    // Inventory events are sharded by SKU, so a SKU × warehouse row has one owner and no shard column.
    expect(inventoryMinute.key).toEqual(['window_start', 'sku', 'warehouse_id']);
    expect(inventoryMinute.columns.map((c) => c.name)).not.toContain('shard');
  });

  it('leaves rates to the views, which divide the summed counts of every shard', () => {
    const activity = WAREHOUSE_TABLES.productActivityMinute.columns.map((c) => c.name);
    expect(activity.filter((name) => name.endsWith('_rate'))).toEqual([]);
    expect(activity).toEqual(expect.arrayContaining(['views', 'add_to_carts', 'purchases', 'unique_shoppers']));
  });
});
