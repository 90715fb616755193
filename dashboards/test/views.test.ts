import { readFileSync } from 'node:fs';
import path from 'node:path';
import { WAREHOUSE_TABLE_LIST, type TableSpec } from '@shop/contracts';
import { ANALYST_VIEWS, latestViewName, tableRef, type ViewSpec } from '@shop/dashboards';
import { columnUse, outputColumns, tableRefs, tokens } from './support/sql';

const PROJECT = 'acme-shop-prod';
const DATASET = 'shop_analytics_test';

const tableByName = new Map(WAREHOUSE_TABLE_LIST.map((t) => [t.name, t]));
/** Aggregate tables are the ones re-emitted as panes. */
const aggregateTables = WAREHOUSE_TABLE_LIST.filter((t) => t.columns.some((c) => c.name === 'emitted_at'));

/**
 * The columns of every relation a view may read: the contract's tables, then each view in order
 * (its output columns, read from its SQL). Fails on a reference to anything else or to a later view.
 */
function relationColumns(views: readonly ViewSpec[]): Map<string, string[]> {
  const known = new Map<string, string[]>(WAREHOUSE_TABLE_LIST.map((t) => [t.name, t.columns.map((c) => c.name)]));
  for (const view of views) {
    for (const ref of tableRefs(view.sql(PROJECT, DATASET))) {
      if (!known.has(ref.name)) throw new Error(`${view.name} reads ${ref.name}, which is neither a contract table nor an earlier view`);
    }
    known.set(view.name, outputColumns(view.sql(PROJECT, DATASET)));
  }
  return known;
}

/** Bare names a view uses that are neither columns of what it reads nor names it defines. */
function unknownColumns(view: ViewSpec, known: Map<string, string[]>): string[] {
  const sql = view.sql(PROJECT, DATASET);
  const readable = new Set(tableRefs(sql).flatMap((ref) => known.get(ref.name) ?? []));
  const use = columnUse(sql);
  const undefinedRelations = use.relations.filter((r) => !use.defined.has(r));
  return [...use.references.filter((name) => !readable.has(name) && !use.defined.has(name)), ...undefinedRelations];
}

/** `PARTITION BY a, b ORDER BY c DESC` of the window in a latest-pane view. */
function rankingWindow(sql: string): { partitionBy: string[]; orderBy: string } {
  const m = /PARTITION BY ([\w\s,]+?) ORDER BY ([\w\s,]+?)\)/.exec(sql);
  if (!m?.[1] || !m[2]) throw new Error('no ranking window');
  return { partitionBy: m[1].split(',').map((s) => s.trim()), orderBy: m[2].trim() };
}

describe('analyst views', () => {
  it('have unique names that are valid BigQuery identifiers and do not shadow warehouse tables', () => {
    const names = ANALYST_VIEWS.map((v) => v.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) {
      expect(name).toMatch(/^[A-Za-z_][A-Za-z0-9_]{0,1023}$/);
      expect(tableByName.has(name)).toBe(false);
    }
    for (const view of ANALYST_VIEWS) expect(view.description.length).toBeGreaterThan(20);
  });

  it('read only contract tables and earlier views, in the given project and dataset', () => {
    const readable = new Set(WAREHOUSE_TABLE_LIST.map((t) => t.name));
    for (const view of ANALYST_VIEWS) {
      const sql = view.sql(PROJECT, DATASET);
      const refs = tableRefs(sql);
      expect(refs.length).toBeGreaterThan(0);
      for (const ref of refs) {
        expect({ view: view.name, ...ref }).toEqual({ view: view.name, project: PROJECT, dataset: DATASET, name: ref.name });
        expect([...readable]).toContain(ref.name);
      }
      expect(sql).toContain(`${PROJECT}.${DATASET}.`);
      readable.add(view.name);
    }
  });

  it('have one latest-pane view per aggregate table, partitioned by exactly its contract key', () => {
    expect(aggregateTables.map((t) => t.name).sort()).toEqual(['co_views', 'inventory_minute', 'product_activity_minute', 'sales_minute']);
    for (const table of aggregateTables) {
      const view = ANALYST_VIEWS.find((v) => v.name === latestViewName(table));
      if (!view) throw new Error(`no latest-pane view for ${table.name}`);
      const sql = view.sql(PROJECT, DATASET);
      expect(tableRefs(sql).map((r) => r.name)).toEqual([table.name]);
      const window = rankingWindow(sql);
      expect(window.partitionBy).toEqual([...table.key]);
      expect(window.orderBy).toBe('emitted_at DESC');
      expect(sql).toMatch(/ROW_NUMBER\(\) OVER \(PARTITION BY/);
      expect(sql).toMatch(/WHERE pane_rank = 1$/);
      // Same schema as the table: analysts get every column and nothing of the ranking.
      expect(outputColumns(sql)).toEqual(table.columns.map((c) => c.name));
    }
  });

  it('never read an aggregate table except through its latest-pane view', () => {
    for (const view of ANALYST_VIEWS) {
      for (const ref of tableRefs(view.sql(PROJECT, DATASET))) {
        const table = tableByName.get(ref.name);
        if (table && aggregateTables.includes(table)) expect(view.name).toBe(latestViewName(table));
      }
    }
  });

  it('use only columns that exist in what they read', () => {
    const known = relationColumns(ANALYST_VIEWS);
    for (const view of ANALYST_VIEWS) expect({ view: view.name, unknown: unknownColumns(view, known) }).toEqual({ view: view.name, unknown: [] });
  });

  it('return the documented columns', () => {
    const expected: Record<string, string[]> = {
      current_stock_by_warehouse: ['sku', 'warehouse_id', 'on_hand', 'reserved', 'available', 'low_stock', 'as_of'],
      low_stock_now: ['sku', 'warehouse_id', 'on_hand', 'reserved', 'available', 'as_of'],
      product_funnel_daily: [
        'activity_date', 'product_id', 'views', 'add_to_carts', 'purchases', 'units', 'revenue_minor', 'currency',
        'view_to_cart_rate', 'cart_to_purchase_rate', 'peak_minute_shoppers', 'is_final',
      ],
      sales_hourly: ['sales_hour', 'currency', 'category_id', 'orders', 'units', 'revenue_minor', 'is_final'],
      top_co_viewed_pairs: ['view_date', 'product_id', 'co_product_id', 'sessions', 'co_view_rank'],
    };
    for (const [name, columns] of Object.entries(expected)) {
      const view = ANALYST_VIEWS.find((v) => v.name === name);
      expect(view && outputColumns(view.sql(PROJECT, DATASET))).toEqual(columns);
    }
    // unique_shoppers is distinct per minute: a daily sum of it would overcount returning shoppers.
    const funnel = ANALYST_VIEWS.find((v) => v.name === 'product_funnel_daily');
    expect(funnel?.sql(PROJECT, DATASET)).not.toMatch(/SUM\(unique_shoppers\)/);
    expect(funnel?.description).toMatch(/shoppers cannot be added up/);
  });

  it('are described in the README with every column they return', () => {
    const readme = readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
    for (const view of ANALYST_VIEWS) {
      const section = readme.split(/\n(?=### )/).find((s) => s.startsWith(`### \`${view.name}\``));
      if (!section) throw new Error(`README has no "### \`${view.name}\`" section`);
      const columns = outputColumns(view.sql(PROJECT, DATASET));
      const latest = view.name.endsWith('_latest');
      // Latest-pane views return their table's columns, which the README points to instead of repeating.
      for (const column of latest ? [] : columns) expect({ view: view.name, column, documented: section.includes(`\`${column}\``) }).toEqual({ view: view.name, column, documented: true });
    }
  });

  it('reject a project or dataset that would break out of the reference', () => {
    expect(tableRef('acme-shop-prod', 'ds', 't')).toBe('`acme-shop-prod.ds.t`');
    expect(tableRef('example.com:acme-shop', 'ds', 't')).toBe('`example.com:acme-shop.ds.t`');
    expect(() => tableRef('acme`; DROP', 'ds', 't')).toThrow(/project id/);
    expect(() => tableRef('acme-shop-prod', 'ds`x', 't')).toThrow(/dataset id/);
    const first = ANALYST_VIEWS[0];
    expect(() => first?.sql('Bad Project', DATASET)).toThrow(/project id/);
  });
});

describe('the column check', () => {
  const table = (name: string, columns: string[]): TableSpec => ({
    name,
    description: '',
    columns: columns.map((c) => ({ name: c, type: 'STRING', required: true, description: '' })),
    partitionColumn: columns[0] ?? '',
    clustering: [],
    key: [],
  });
  const view = (name: string, sql: string): ViewSpec => ({ name, description: '', sql: (p, d) => sql.replace(/REF\((\w+)\)/g, (_, t: string) => `\`${p}.${d}.${t}\``) });

  it('names a misspelt column, a column of another table and an unknown relation', () => {
    const known = new Map([...relationColumns([]), ['t', table('t', ['a', 'b']).columns.map((c) => c.name)]]);
    expect(unknownColumns(view('v1', 'SELECT a, SUM(bb) AS total FROM REF(t) GROUP BY a'), known)).toEqual(['bb']);
    expect(unknownColumns(view('v2', 'SELECT a, sku FROM REF(t)'), known)).toEqual(['sku']);
    expect(unknownColumns(view('v3', 'WITH x AS (SELECT a FROM REF(t)) SELECT a FROM y'), known)).toEqual(['y']);
    expect(unknownColumns(view('v4', "SELECT a AS renamed FROM REF(t) WHERE b = 'not_a_column' ORDER BY renamed"), known)).toEqual([]);
  });

  it('refuses a view that reads a later view or an unknown table', () => {
    const later = view('later', 'SELECT on_hand FROM REF(inventory_minute)');
    const early = view('early', 'SELECT on_hand FROM REF(later)');
    expect(() => relationColumns([early, later])).toThrow(/early reads later/);
    expect(() => relationColumns([view('x', 'SELECT a FROM REF(nowhere)')])).toThrow(/reads nowhere/);
    expect(relationColumns([later, early]).get('early')).toEqual(['on_hand']);
  });

  it('drops comments and strings before reading names', () => {
    expect(tokens("SELECT a -- b\n, 'c d' FROM `p.d.t`")).toEqual(['SELECT', 'a', ',', "''", 'FROM', '@ref']);
  });
});
