import net from 'node:net';
import { TOPICS, WAREHOUSE_TABLES, type TableSpec } from '@shop/contracts';
import { runBounded as runOnNode, type AnalyticsJob, type RawMessage, type RowValues } from '@shop/dataflow';
import { FIXED_WINDOW_TABLE_NAMES, runBounded as runOnBeam, type TableRowsByName } from '@shop/beam-pipeline';
import { runNodeStreaming } from './support/node-streaming';
import { offline } from './support/offline';
import { SCENARIO_START_MS, scenario, type Scenario } from './support/scenario';

/** Where the runners legitimately differ: when and how often a window fires. */
const PANE_COLUMNS: ReadonlySet<string> = new Set(['pane_timing', 'is_final', 'emitted_at']);
const FIXED_WINDOW_TABLES: readonly TableSpec[] = [WAREHOUSE_TABLES.productActivityMinute, WAREHOUSE_TABLES.inventoryMinute, WAREHOUSE_TABLES.salesMinute];

/** A row in one value form whatever wrote it: timestamps as ISO 8601 with milliseconds, JSON parsed. */
function normalized(table: TableSpec, row: RowValues): RowValues {
  const out: RowValues = {};
  for (const column of table.columns) {
    const value = row[column.name] ?? null;
    if (value === null) out[column.name] = null;
    else if (column.type === 'TIMESTAMP') out[column.name] = new Date(String(value)).toISOString();
    else if (column.type === 'INT64') out[column.name] = Number(value);
    else if (column.type === 'JSON') out[column.name] = JSON.stringify(Object.entries(JSON.parse(String(value)) as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)));
    else out[column.name] = value;
  }
  return out;
}

const tableKey = (table: TableSpec, row: RowValues): string => JSON.stringify(table.key.map((column) => row[column]));
const withoutPanes = (row: RowValues): RowValues => Object.fromEntries(Object.entries(row).filter(([column]) => !PANE_COLUMNS.has(column)));

/** The current value of every window and key: its latest pane, pane columns left out. */
function finalValues(table: TableSpec, rows: readonly RowValues[]): Record<string, RowValues> {
  const latest = new Map<string, RowValues>();
  for (const row of rows.map((r) => normalized(table, r))) {
    const key = tableKey(table, row);
    const seen = latest.get(key);
    if (!seen || String(row['emitted_at']) > String(seen['emitted_at'])) latest.set(key, row);
  }
  return Object.fromEntries([...latest].sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, row]) => [key, withoutPanes(row)]));
}

const sortedLetters = (rows: readonly RowValues[]): RowValues[] => [...rows].sort((a, b) => (String(a['message_id']).padStart(8, '0') < String(b['message_id']).padStart(8, '0') ? -1 : 1));

/** The Node runner as deployed: one replica per shard, each given the messages its subscriptions' filter selects. */
function nodeRun(messages: readonly RawMessage[]): TableRowsByName {
  const byShard = new Map<number, RawMessage[]>();
  for (const message of messages) {
    const shard = Number(message.attributes['shard']);
    byShard.set(shard, [...(byShard.get(shard) ?? []), message]);
  }
  const rows: TableRowsByName = {};
  for (const [shard, shardMessages] of byShard) {
    const result = runOnNode(shardMessages, { shard, emittedAt: new Date(SCENARIO_START_MS + 3_600_000).toISOString() });
    for (const [table, tableRows] of Object.entries({ ...result.rows, [WAREHOUSE_TABLES.deadLetter.name]: result.deadLetters })) (rows[table] ??= []).push(...tableRows);
  }
  return rows;
}

describe('Beam pipeline and Node runner over the same bounded input', () => {
  let input: Scenario;
  let beam: TableRowsByName;
  let node: TableRowsByName;
  let attempts: string[];

  beforeAll(async () => {
    input = scenario();
    ({ result: beam, attempts } = await offline(() => runOnBeam(input.messages)));
    node = nodeRun(input.messages);
  });

  test('the Beam run needed no network and no other process', async () => {
    expect(attempts).toEqual([]);
    // The guard is real: inside it a connection cannot even be attempted.
    const probe = await offline(async () => {
      expect(() => net.connect(8685, '127.0.0.1')).toThrow('offline');
      return null;
    });
    expect(probe.attempts).toHaveLength(1);
  });

  test.each(FIXED_WINDOW_TABLE_NAMES)('%s: every window, key and shard has the same final value', (name) => {
    const table = FIXED_WINDOW_TABLES.find((t) => t.name === name);
    if (!table) throw new Error(`no table ${name}`);
    const beamRows = beam[name] ?? [];
    // Beam fires each window and key once; the Node runner's latest pane is its current value.
    expect(new Set(beamRows.map((row) => tableKey(table, row))).size).toBe(beamRows.length);
    expect(beamRows.length).toBeGreaterThan(1);
    expect(finalValues(table, beamRows)).toEqual(finalValues(table, node[name] ?? []));
  });

  test('the same messages are dead-lettered, for the same reasons', () => {
    const beamLetters = sortedLetters(beam[WAREHOUSE_TABLES.deadLetter.name] ?? []);
    expect(beamLetters.map((row) => row['message_id'])).toEqual(input.malformed);
    expect(beamLetters).toEqual(sortedLetters(node[WAREHOUSE_TABLES.deadLetter.name] ?? []));
  });

  test('the aggregates count out-of-order and late events once and redeliveries not at all', () => {
    const activity = finalValues(WAREHOUSE_TABLES.productActivityMinute, beam[WAREHOUSE_TABLES.productActivityMinute.name] ?? []);
    const mug = (shard: number): RowValues | undefined => activity[JSON.stringify(['2026-03-02T10:00:00.000Z', '6f1c2a4e-0000-4000-8000-00000000a001', shard])];
    // shopper-0000's views at 10:00:05 and (out of order) 10:00:50, the cart add and the purchase bought twice over.
    expect(mug(3)).toMatchObject({ views: 2, add_to_carts: 1, purchases: 1, units: 2, revenue_minor: 3000, currency: 'EUR', unique_shoppers: 1 });
    // shopper-0001's view, delivered twice, and another delivered after 10:02; shopper-0002's view, delivered after 10:02.
    expect(mug(0)).toMatchObject({ views: 2, unique_shoppers: 1 });
    expect(mug(1)).toMatchObject({ views: 1, unique_shoppers: 1 });
    const tee = activity[JSON.stringify(['2026-03-02T10:01:00.000Z', '6f1c2a4e-0000-4000-8000-00000000a002', 3])];
    expect(tee).toMatchObject({ purchases: 2, units: 4, revenue_minor: null, currency: null, unique_shoppers: 2 });

    const stock = finalValues(WAREHOUSE_TABLES.inventoryMinute, beam[WAREHOUSE_TABLES.inventoryMinute.name] ?? []);
    // The receipt was delivered twice.
    expect(stock[JSON.stringify(['2026-03-02T10:00:00.000Z', 'MUG-WHT', 'berlin-1'])]).toMatchObject({ on_hand: 8, units_received: 10, units_shipped: 2, low_stock: false });
    // 10:01 ends with the late fulfilment at 10:01:55, not the count delivered before it at 10:01:50.
    expect(stock[JSON.stringify(['2026-03-02T10:01:00.000Z', 'MUG-WHT', 'berlin-1'])]).toMatchObject({ on_hand: 3, available: 3, low_stock: true, units_received: 0, units_shipped: 1, units_adjusted: -4 });

    const sales = finalValues(WAREHOUSE_TABLES.salesMinute, beam[WAREHOUSE_TABLES.salesMinute.name] ?? []);
    expect(sales[JSON.stringify(['2026-03-02T10:00:00.000Z', 'EUR', '6f1c2a4e-0000-4000-8000-00000000c001', 3])]).toMatchObject({ orders: 1, units: 3, revenue_minor: 3500 });
    expect(sales[JSON.stringify(['2026-03-02T10:00:00.000Z', 'EUR', 'uncategorized', 3])]).toMatchObject({ orders: 1, units: 1, revenue_minor: 300 });
  });
});

describe('Beam pipeline and the streaming Node runner over the same input', () => {
  const startMs = Math.floor((Date.now() - 10 * 60_000) / 60_000) * 60_000;
  const known: ReadonlySet<string> = new Set(Object.values(TOPICS));
  let input: Scenario;
  let beam: TableRowsByName;
  let node: TableRowsByName;

  beforeAll(async () => {
    input = scenario(startMs);
    // The Node runner subscribes to the platform's topics only; a message of another never reaches it.
    const routable = (messages: readonly RawMessage[]): RawMessage[] => messages.filter((m) => known.has(m.topic));
    beam = await runOnBeam(routable(input.messages));
    // Past the minute of each shard's late event: 10:01 for shard 0's fulfilment, 10:00 for shard 1's view.
    const passed = (job: AnalyticsJob, shard: number, offsetMs: number): boolean => (job.status().shards.find((s) => s.shard === shard)?.watermark ?? '') >= new Date(startMs + offsetMs).toISOString();
    node = await runNodeStreaming(
      [
        {
          messages: routable(input.messages.slice(0, input.lateFrom)),
          what: 'the watermarks past the minutes the late events belong to',
          until: (job) => passed(job, 0, 120_000) && passed(job, 1, 60_000),
        },
        { messages: routable(input.messages.slice(input.lateFrom)), what: 'nothing more', until: () => true },
      ],
      { panePeriodMs: 50, maxOutOfOrdernessMs: 1000, idleTimeoutMs: 30 * 60_000, allowedLatenessMs: 30 * 60_000 },
    );
  });

  test('late events updated windows that had already fired on time', () => {
    const panesOf = (table: TableSpec, match: RowValues): RowValues[] =>
      (node[table.name] ?? []).map((r) => normalized(table, r)).filter((r) => Object.entries(match).every(([column, value]) => r[column] === value));
    const minute = (n: number): string => new Date(startMs + n * 60_000).toISOString();
    const mug = panesOf(WAREHOUSE_TABLES.productActivityMinute, { window_start: minute(0), product_id: '6f1c2a4e-0000-4000-8000-00000000a001', shard: 0 });
    expect(mug.map((r) => [r['pane_timing'], r['views']])).toEqual(expect.arrayContaining([['ON_TIME', 1], ['LATE', 2]]));
    const stock = panesOf(WAREHOUSE_TABLES.inventoryMinute, { window_start: minute(1), sku: 'MUG-WHT', warehouse_id: 'berlin-1' });
    expect(stock.map((r) => [r['pane_timing'], r['on_hand']])).toEqual(expect.arrayContaining([['ON_TIME', 4], ['LATE', 3]]));
  });

  test.each(FIXED_WINDOW_TABLE_NAMES)("%s: every window, key and shard's latest pane is Beam's value", (name) => {
    const table = FIXED_WINDOW_TABLES.find((t) => t.name === name);
    if (!table) throw new Error(`no table ${name}`);
    expect(finalValues(table, node[name] ?? [])).toEqual(finalValues(table, beam[name] ?? []));
  });

  test('the same messages are dead-lettered, for the same reasons', () => {
    const table = WAREHOUSE_TABLES.deadLetter;
    // Each runner stamps its own receipt time, and the bus its own message ids.
    const content = (rows: readonly RowValues[]): RowValues[] =>
      rows
        .map((r) => normalized(table, r))
        .map(({ received_at: _receivedAt, message_id: _messageId, ...rest }) => rest)
        .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
    const beamLetters = content(beam[table.name] ?? []);
    expect(beamLetters.length).toBeGreaterThan(5);
    expect(content(node[table.name] ?? [])).toEqual(beamLetters);
  });
});
