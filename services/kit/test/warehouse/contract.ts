import { randomUUID } from 'node:crypto';
import { WAREHOUSE_TABLES, WAREHOUSE_TABLE_LIST, type Column, type TableSpec } from '@shop/contracts';
import { WarehouseRowError, type Warehouse, type WarehouseRow, type WarehouseValue } from '@shop/kit';

/** A value of every column type, in the form the port writes. */
function sample(column: Column, n: number): WarehouseValue {
  switch (column.type) {
    case 'STRING':
      return `${column.name}-${n}`;
    case 'INT64':
      return 1_000_000_000_000 + n;
    case 'FLOAT64':
      return n + 0.25;
    case 'BOOL':
      return n % 2 === 0;
    case 'TIMESTAMP':
      return new Date(Date.UTC(2025, 2, 10, 10, n, 0, 123)).toISOString();
    case 'DATE':
      return `2025-03-${String(10 + n).padStart(2, '0')}`;
    case 'JSON':
      return JSON.stringify({ n, tags: ['a', 'b'] });
  }
}

const rowOf = (table: TableSpec, n: number): WarehouseRow => ({
  insertId: `${table.name}-${n}`,
  values: Object.fromEntries(table.columns.map((c) => [c.name, c.required || n % 2 === 0 ? sample(c, n) : null])),
});

const day = (iso: string, hours = 0): string => new Date(Date.parse(`${iso}T00:00:00Z`) + hours * 3_600_000).toISOString();

/** A co_views pane: `emittedHours` after the day began. */
function coView(dayIso: string, product: string, coProduct: string, shard: number, sessions: number, emittedHours: number): WarehouseRow {
  return {
    insertId: randomUUID(),
    values: {
      window_start: day(dayIso),
      window_end: day(dayIso, 24),
      product_id: product,
      co_product_id: coProduct,
      shard,
      sessions,
      pane_timing: emittedHours >= 24 ? 'ON_TIME' : 'EARLY',
      is_final: false,
      emitted_at: day(dayIso, emittedHours),
    },
  };
}

/** The warehouse port's behaviour, the same for every adapter. `open` gives a fresh, empty warehouse. */
export function warehouseContract(name: string, open: () => Promise<Warehouse>): void {
  describe(`${name} (warehouse contract)`, () => {
    let warehouse: Warehouse;

    beforeEach(async () => {
      warehouse = await open();
    });

    afterEach(async () => {
      await warehouse.close();
    });

    it('writes rows of every contract table and reads them back in the port value forms', async () => {
      for (const table of WAREHOUSE_TABLE_LIST) {
        const rows = [rowOf(table, 0), rowOf(table, 1)];
        await warehouse.insert(table, rows);
        const read = await warehouse.read(table.name, { orderBy: [{ column: table.columns[0]?.name ?? '' }] });
        expect({ table: table.name, rows: read }).toEqual({ table: table.name, rows: rows.map((r) => r.values) });
      }
    });

    it('stores a timestamp given with an offset as the UTC instant it names', async () => {
      const table = WAREHOUSE_TABLES.deadLetter;
      const row = rowOf(table, 0);
      await warehouse.insert(table, [{ ...row, values: { ...row.values, received_at: '2025-03-10T12:30:00+02:00' } }]);
      const [read] = await warehouse.read(table.name);
      expect(read?.received_at).toBe('2025-03-10T10:30:00.000Z');
    });

    it('lands a retried insert once: rows with an insert id already written are dropped', async () => {
      const table = WAREHOUSE_TABLES.inventoryMinute;
      const rows = [rowOf(table, 0), rowOf(table, 1)];
      await warehouse.insert(table, rows);
      await warehouse.insert(table, rows);
      await warehouse.insert(table, [rows[1]!, rowOf(table, 2)]);
      const read = await warehouse.read(table.name, { orderBy: [{ column: 'window_start' }] });
      expect(read.map((r) => r.sku)).toEqual(['sku-0', 'sku-1', 'sku-2']);
    });

    it('refuses a batch holding a row the contract does not allow, naming the column, and writes none of it', async () => {
      const table = WAREHOUSE_TABLES.salesMinute;
      const good = rowOf(table, 0);
      const broken: [string, Record<string, WarehouseValue>, RegExp][] = [
        ['missing required', { ...good.values, currency: null }, /currency is required/],
        ['wrong type', { ...good.values, units: '3' }, /units must be a safe integer/],
        ['fraction', { ...good.values, orders: 1.5 }, /orders must be a safe integer/],
        ['unknown column', { ...good.values, colour: 'red' }, /colour is not a column/],
        ['timestamp without zone', { ...good.values, window_start: '2025-03-10T10:00:00' }, /window_start must be an ISO 8601 time/],
      ];
      for (const [what, values, message] of broken) {
        const attempt = warehouse.insert(table, [good, { insertId: `bad-${what}`, values }]);
        await expect(attempt).rejects.toThrow(WarehouseRowError);
        await expect(warehouse.insert(table, [{ insertId: `bad-${what}`, values }])).rejects.toThrow(message);
      }
      expect(await warehouse.read(table.name)).toEqual([]);
    });

    it('reads with filters, order and a limit, comparing timestamps as instants', async () => {
      const table = WAREHOUSE_TABLES.inventoryMinute;
      await warehouse.insert(table, [0, 1, 2, 3].map((n) => ({ ...rowOf(table, n), values: { ...rowOf(table, n).values, sku: n % 2 === 0 ? 'A' : 'B' } })));
      const read = await warehouse.read(table.name, {
        where: [
          { column: 'sku', op: '=', value: 'A' },
          { column: 'window_start', op: '>=', value: new Date(Date.UTC(2025, 2, 10, 10, 0, 0)) },
        ],
        orderBy: [{ column: 'window_start', descending: true }],
        limit: 1,
      });
      expect(read.map((r) => [r.sku, r.window_start])).toEqual([['A', '2025-03-10T10:02:00.123Z']]);
      await expect(warehouse.read('inventory_minute; DROP TABLE x')).rejects.toThrow(/not a warehouse table/);
      await expect(warehouse.read(table.name, { where: [{ column: 'sku = sku OR 1', op: '=', value: 1 }] })).rejects.toThrow(/not a warehouse/);
    });

    it('ranks co-viewed products by the newest pane of each shard, summed over recent days', async () => {
      const now = new Date('2025-03-12T15:00:00Z');
      await warehouse.insert(WAREHOUSE_TABLES.coViews, [
        // Q1: shard 0's early pane (9) is superseded by its on-time pane (3); shard 1 adds 4.
        coView('2025-03-12', 'P', 'Q1', 0, 9, 2),
        coView('2025-03-12', 'P', 'Q1', 0, 3, 25),
        coView('2025-03-11', 'P', 'Q1', 1, 4, 25),
        // Q2 ties Q1 at 7 over two days and loses the tie on id.
        coView('2025-03-10', 'P', 'Q2', 0, 5, 25),
        coView('2025-03-12', 'P', 'Q2', 1, 2, 3),
        // Q3 was viewed more, but before the three days asked for.
        coView('2025-03-09', 'P', 'Q3', 0, 50, 25),
        // Q4's only count was taken back by a later pane.
        coView('2025-03-12', 'P', 'Q4', 0, 1, 1),
        coView('2025-03-12', 'P', 'Q4', 0, 0, 2),
        // Another product's pairs.
        coView('2025-03-12', 'R', 'Q5', 0, 8, 25),
        coView('2025-03-12', 'P', 'Q6', 1, 1, 25),
      ]);
      expect(await warehouse.topCoViewed('P', { days: 3, now })).toEqual([
        { productId: 'Q1', sessions: 7 },
        { productId: 'Q2', sessions: 7 },
        { productId: 'Q6', sessions: 1 },
      ]);
      expect(await warehouse.topCoViewed('P', { days: 4, now, limit: 1 })).toEqual([{ productId: 'Q3', sessions: 50 }]);
      expect(await warehouse.topCoViewed('P', { days: 1, now })).toEqual([
        { productId: 'Q1', sessions: 3 },
        { productId: 'Q2', sessions: 2 },
        { productId: 'Q6', sessions: 1 },
      ]);
      expect(await warehouse.topCoViewed('nobody', { now })).toEqual([]);
    });

    it('gives the same answer after the same panes are written again', async () => {
      const now = new Date('2025-03-12T15:00:00Z');
      const panes = [coView('2025-03-12', 'P', 'Q1', 0, 2, 1), coView('2025-03-12', 'P', 'Q1', 0, 5, 2), coView('2025-03-12', 'P', 'Q2', 1, 4, 2)];
      await warehouse.insert(WAREHOUSE_TABLES.coViews, panes);
      const before = await warehouse.topCoViewed('P', { now });
      // A replay writes the same panes again, some under the same insert ids, some as new rows.
      await warehouse.insert(WAREHOUSE_TABLES.coViews, panes);
      await warehouse.insert(WAREHOUSE_TABLES.coViews, panes.map((p) => ({ ...p, insertId: randomUUID() })));
      expect(before).toEqual([
        { productId: 'Q1', sessions: 5 },
        { productId: 'Q2', sessions: 4 },
      ]);
      expect(await warehouse.topCoViewed('P', { now })).toEqual(before);
    });

    it('answers ping while open', async () => {
      await expect(warehouse.ping()).resolves.toBeUndefined();
    });
  });
}
