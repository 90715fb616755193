import { WAREHOUSE_TABLES, WAREHOUSE_TABLE_LIST } from '@shop/contracts';
import type { Warehouse } from '@shop/kit';
import { warehouseContract } from './contract';
import { startFakeBigQuery, type FakeBigQuery } from './fake-bigquery';
import { startBigQueryDriver } from './remote-warehouse';

const PROJECT = 'warehouse-bq-test';
let datasets = 0;
const fakes: FakeBigQuery[] = [];
const driver = startBigQueryDriver();

/**
 * Each warehouse gets its own fake endpoint and dataset; the adapter runs from the built kit in
 * its own process, where the official client does the talking, without Google credentials.
 */
async function openOnFake(): Promise<{ warehouse: Warehouse; fake: FakeBigQuery; dataset: string }> {
  const dataset = `contract_${datasets++}`;
  const fake = await startFakeBigQuery(PROJECT, dataset);
  fakes.push(fake);
  const warehouse = await driver.open({ projectId: PROJECT, dataset, endpoint: fake.endpoint, createTables: true });
  return { warehouse, fake, dataset };
}

afterAll(async () => {
  for (const fake of fakes) expect({ endpoint: fake.endpoint, violations: fake.violations }).toEqual({ endpoint: fake.endpoint, violations: [] });
  await driver.stop();
  await Promise.all(fakes.map((f) => f.close()));
});

warehouseContract('BigQuery over its REST API', async () => (await openOnFake()).warehouse);

describe('BigQuery warehouse at the protocol edge', () => {
  it('creates every contract table partitioned by day on its column and clustered as the contract says', async () => {
    const { warehouse, fake, dataset } = await openOnFake();
    await warehouse.close();
    expect(fake.violations).toEqual([]);
    expect(fake.tables.sort()).toEqual(WAREHOUSE_TABLE_LIST.map((t) => t.name).sort());
    // A second start finds the tables there (409) and goes on.
    const again = await driver.open({ projectId: PROJECT, dataset, endpoint: fake.endpoint, createTables: true });
    await again.ping();
    await again.close();
    expect(fake.violations).toEqual([]);
  });

  it('streams large batches in requests of at most 500 rows, each row with its insert id', async () => {
    const { warehouse, fake } = await openOnFake();
    const table = WAREHOUSE_TABLES.inventoryMinute;
    const rows = Array.from({ length: 1201 }, (_, n) => ({
      insertId: `inv-${n}`,
      values: {
        window_start: new Date(Date.UTC(2025, 2, 10, 0, n)).toISOString(), window_end: new Date(Date.UTC(2025, 2, 10, 0, n + 1)).toISOString(),
        sku: `SKU-${n % 7}`, warehouse_id: 'w1', on_hand: n, reserved: 0, available: n, units_received: 1, units_shipped: 0, units_adjusted: 0,
        low_stock: false, pane_timing: 'EARLY', is_final: false, emitted_at: new Date(Date.UTC(2025, 2, 10, 0, n, 5)).toISOString(),
      },
    }));
    await warehouse.insert(table, rows);
    expect(fake.inserts.get(table.name)).toBe(3);
    expect((await warehouse.read(table.name)).length).toBe(1201);
    await warehouse.close();
  });

  it('queries with typed named parameters against the dataset it was given', async () => {
    const { warehouse, fake, dataset } = await openOnFake();
    await warehouse.topCoViewed('P', { now: new Date('2025-03-12T15:00:00Z'), days: 2 });
    const last = fake.queries.at(-1);
    expect(last?.sql).toContain(`\`${PROJECT}.${dataset}.co_views\``);
    expect(last?.parameters).toEqual([
      { name: 'p0', parameterType: { type: 'STRING' }, parameterValue: { value: 'P' } },
      { name: 'p1', parameterType: { type: 'TIMESTAMP' }, parameterValue: { value: '2025-03-11T00:00:00.000Z' } },
    ]);
    await warehouse.close();
  });

  it('flags what BigQuery would refuse, so a passing contract suite means the adapter sent valid requests', async () => {
    const { warehouse, fake, dataset } = await openOnFake();
    await warehouse.close();
    const response = await fetch(`${fake.endpoint}/bigquery/v2/projects/${PROJECT}/datasets/${dataset}/tables/${WAREHOUSE_TABLES.salesMinute.name}/insertAll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ rows: [{ json: { currency: 'EUR', units: 'many', colour: 'red' } }] }),
    });
    expect(((await response.json()) as { insertErrors: unknown[] }).insertErrors).toHaveLength(1);
    expect(fake.violations).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/row 0 has no insertId/),
        expect.stringMatching(/row 0 has unknown column colour/),
        expect.stringMatching(/row 0 lacks required window_start/),
        expect.stringMatching(/row 0 units is not an integer/),
      ]),
    );
    fake.violations.length = 0;
  });
});
