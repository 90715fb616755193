import { WAREHOUSE_TABLES, WAREHOUSE_TABLE_LIST, type TableSpec } from '@shop/contracts';
import { runBounded, type TableRowsByName } from '@shop/beam-pipeline';
// Beam's modules import each other in a cycle that only its index loads in order.
import 'apache-beam';
import { RowCoder } from 'apache-beam/coders/row_coder';
import { decodeFromBase64, encodeToBase64 } from 'apache-beam/worker/operators';
import { beamRowOf, beamSchemaOf } from '../src/launch/bigquery';
import { rawMessageOf } from '../src/launch/pubsub';
import { LaunchSettingsError, launchSettingsFrom, pipelineOptionsOf } from '../src/launch/settings';
import { scenario } from './support/scenario';

const ENV = {
  GOOGLE_CLOUD_PROJECT: 'shop-platform-prod',
  DATAFLOW_REGION: 'europe-west1',
  DATAFLOW_STAGING_LOCATION: 'gs://shop-platform-prod-dataflow/staging',
  BEAM_SDK_CONTAINER_IMAGE: 'europe-west1-docker.pkg.dev/shop-platform-prod/images/analytics-beam@sha256:0123',
};

describe('launch settings', () => {
  test('a complete environment gives Dataflow streaming options, with defaults for what is optional', () => {
    const settings = launchSettingsFrom(ENV);
    expect(settings).toMatchObject({ runner: 'dataflow', jobEndpoint: null, tempLocation: 'gs://shop-platform-prod-dataflow/staging/temp', jobName: 'analytics', dataset: 'shop_analytics', templateLocation: null });
    expect(pipelineOptionsOf(settings)).toEqual({
      project: 'shop-platform-prod',
      region: 'europe-west1',
      stagingLocation: 'gs://shop-platform-prod-dataflow/staging',
      tempLocation: 'gs://shop-platform-prod-dataflow/staging/temp',
      jobName: 'analytics',
      sdkContainerImage: ENV.BEAM_SDK_CONTAINER_IMAGE,
      streaming: true,
      enableStreamingEngine: true,
      usePublicIps: false,
    });
  });

  test('optional settings reach the options when set', () => {
    const settings = launchSettingsFrom({ ...ENV, DATAFLOW_SERVICE_ACCOUNT: 'analytics@shop-platform-prod.iam.gserviceaccount.com', DATAFLOW_SUBNETWORK: 'regions/europe-west1/subnetworks/jobs', DATAFLOW_TEMPLATE_LOCATION: 'gs://shop-platform-prod-dataflow/templates/analytics.json' });
    expect(pipelineOptionsOf(settings)).toMatchObject({ serviceAccountEmail: 'analytics@shop-platform-prod.iam.gserviceaccount.com', subnetwork: 'regions/europe-west1/subnetworks/jobs', templateLocation: 'gs://shop-platform-prod-dataflow/templates/analytics.json' });
  });

  test('every missing or malformed setting is named at once', () => {
    const error = (() => {
      try {
        launchSettingsFrom({ DATAFLOW_REGION: 'Europe West', DATAFLOW_STAGING_LOCATION: '/tmp/staging', BEAM_RUNNER: 'flink' });
      } catch (err) {
        return err;
      }
      throw new Error('invalid settings were accepted');
    })();
    expect(error).toBeInstanceOf(LaunchSettingsError);
    const problems = error instanceof LaunchSettingsError ? error.problems : [];
    expect(problems.map((p) => p.split(' ')[0])).toEqual(['BEAM_RUNNER', 'DATAFLOW_STAGING_LOCATION', 'GOOGLE_CLOUD_PROJECT', 'DATAFLOW_REGION', 'BEAM_SDK_CONTAINER_IMAGE']);
  });

  test('the portable runner needs the job service it submits to', () => {
    expect(() => launchSettingsFrom({ ...ENV, BEAM_RUNNER: 'portable' })).toThrow(/BEAM_JOB_ENDPOINT is required/);
    expect(launchSettingsFrom({ ...ENV, BEAM_RUNNER: 'portable', BEAM_JOB_ENDPOINT: 'localhost:8099' })).toMatchObject({ runner: 'portable', jobEndpoint: 'localhost:8099' });
  });
});

describe('BigQuery rows', () => {
  let rows: TableRowsByName;
  beforeAll(async () => {
    rows = await runBounded(scenario().messages);
  });

  const tableNamed = (name: string): TableSpec => {
    const table = WAREHOUSE_TABLE_LIST.find((t) => t.name === name);
    if (!table) throw new Error(`no table ${name}`);
    return table;
  };

  test("every row the pipeline writes fits its table's Beam schema and crosses Beam's row coder unchanged", () => {
    expect(Object.keys(rows).sort()).toEqual(['dead_letter', 'inventory_minute', 'product_activity_minute', 'sales_minute']);
    for (const [name, tableRows] of Object.entries(rows)) {
      const table = tableNamed(name);
      const coder = RowCoder.fromSchema(beamSchemaOf(table));
      expect(tableRows.length).toBeGreaterThan(0);
      for (const row of tableRows) {
        const beamRow = beamRowOf(table, row);
        expect(Object.keys(beamRow)).toEqual(table.columns.map((c) => c.name));
        const decoded: Record<string, unknown> = decodeFromBase64(encodeToBase64(beamRow, coder), coder);
        // The row coder decodes a null field as undefined.
        expect(Object.fromEntries(Object.entries(decoded).map(([k, v]) => [k, v ?? null]))).toEqual(beamRow);
      }
    }
  });

  test('a row with a column its table lacks, a missing required value or an integer the row coder would wrap is refused', () => {
    const table = WAREHOUSE_TABLES.salesMinute;
    const row = rows[table.name]?.[0];
    if (!row) throw new Error('no sales row');
    expect(() => beamRowOf(table, { ...row, discount: 1 })).toThrow('sales_minute has no column discount');
    expect(() => beamRowOf(table, { ...row, currency: null })).toThrow('sales_minute.currency is required');
    expect(() => beamRowOf(table, { ...row, revenue_minor: 3_000_000_000 })).toThrow(/does not fit/);
    expect(() => beamRowOf(table, { ...row, units: '3' })).toThrow('sales_minute.units must be number, got string');
  });
});

describe('Pub/Sub messages', () => {
  test('become the messages the shared parser reads', () => {
    const message = rawMessageOf('inventory-events', { data: new TextEncoder().encode('{"sku":"MUG-WHT"}'), attributes: { 'ce-id': 'e1' }, messageId: '42' }, '2026-03-02T10:00:00.000Z');
    expect(message).toEqual({ topic: 'inventory-events', messageId: '42', data: '{"sku":"MUG-WHT"}', attributes: { 'ce-id': 'e1' }, receivedAt: '2026-03-02T10:00:00.000Z' });
  });

  test('without a message id get one from their content, the same on every delivery', () => {
    const first = rawMessageOf('inventory-events', { data: '{}', attributes: { b: '2', a: '1' } }, '2026-03-02T10:00:00.000Z');
    const again = rawMessageOf('inventory-events', { data: '{}', attributes: { a: '1', b: '2' }, messageId: '' }, '2026-03-02T10:05:00.000Z');
    const other = rawMessageOf('inventory-events', { data: '{ }', attributes: { a: '1', b: '2' } }, '2026-03-02T10:00:00.000Z');
    expect(first.messageId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(again.messageId).toBe(first.messageId);
    expect(other.messageId).not.toBe(first.messageId);
  });
});
