import { findDrift } from '../src/store/ledger';
import { seed, startHarness, type Harness } from './support';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  await seed(h, [{ id: 'dock', priority: 1 }, { id: 'other', priority: 2 }], [{ warehouseId: 'dock', sku: 'CNT-1', quantity: 10 }]);
});

afterAll(async () => {
  await h.close();
});

type Job = { id: string; status: string; totalRows: number; processedRows: number; appliedRows: number; skippedRows: number; failedRows: number; progress: number; errors: Array<{ row: number; field: string | null; message: string }> };

async function upload(csv: string, mode: 'receive' | 'count', dryRun: boolean, warehouses = ['dock']): Promise<Job> {
  const operator = h.as(['operator'], warehouses);
  const res = await operator.post<Job>(`/v1/imports/upload?mode=${mode}&dryRun=${dryRun}`, csv, { 'content-type': 'text/csv' });
  expect(res.status).toBe(202);
  for (let i = 0; i < 200; i++) {
    const job = await operator.get<Job>(`/v1/imports/${res.body.id}`);
    if (job.body.status === 'succeeded' || job.body.status === 'failed') return job.body;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('import did not finish');
}

const onHand = async (sku: string, warehouse = 'dock'): Promise<number | undefined> =>
  ((await h.database.db('stock_levels').where({ sku, warehouse_id: warehouse }).first()) as { on_hand: number } | undefined)?.on_hand;

const RECEIVE_CSV = ['warehouse_id,sku,quantity,reference', 'dock,IMP-1,5,PO-1', 'dock,IMP-2,abc,PO-1', 'nowhere,IMP-3,2,', 'other,IMP-4,2,', 'dock,IMP-1,3,PO-2'].join('\n');

it('reports every bad row in a dry run and changes nothing', async () => {
  const ledgerBefore = await h.database.db('ledger').count<Array<{ count: string }>>('* as count');
  const job = await upload(RECEIVE_CSV, 'receive', true);
  expect(job).toMatchObject({ status: 'succeeded', totalRows: 5, processedRows: 5, appliedRows: 2, failedRows: 3, progress: 1 });
  expect(job.errors.map((e) => [e.row, e.field])).toEqual([
    [3, 'quantity'],
    [4, 'warehouse_id'],
    [5, 'warehouse_id'],
  ]);
  expect(await onHand('IMP-1')).toBeUndefined();
  expect(await h.database.db('ledger').count<Array<{ count: string }>>('* as count')).toEqual(ledgerBefore);
});

it('applies good rows once; importing the same file again skips them', async () => {
  const first = await upload(RECEIVE_CSV, 'receive', false);
  expect(first).toMatchObject({ appliedRows: 2, failedRows: 3, skippedRows: 0 });
  expect(await onHand('IMP-1')).toBe(8);
  const second = await upload(RECEIVE_CSV, 'receive', false);
  expect(second).toMatchObject({ appliedRows: 0, skippedRows: 2, failedRows: 3 });
  expect(await onHand('IMP-1')).toBe(8);
  expect(await findDrift(h.database.db)).toEqual([]);
});

it('imports counts with a compare-and-swap on the expected quantity', async () => {
  const job = await upload(['warehouse_id,sku,counted_quantity,expected_quantity', 'dock,CNT-1,7,10', 'dock,IMP-1,1,999'].join('\n'), 'count', false);
  expect(job).toMatchObject({ appliedRows: 1, failedRows: 1 });
  expect(job.errors[0]).toMatchObject({ row: 3 });
  expect(await onHand('CNT-1')).toBe(7);
  expect(await onHand('IMP-1')).toBe(8);
});

it('rejects an import source that is not a Cloud Storage URI, naming the field', async () => {
  const r = await h.as(['operator'], ['dock']).post('/v1/imports', { mode: 'receive', source: 'http://example.com/x.csv' });
  expect(r.status).toBe(400);
  expect(r.body).toMatchObject({ errors: [{ field: 'body.source' }] });
});

it('fails a job whose source object does not exist, with the reason', async () => {
  const operator = h.as(['operator'], ['dock']);
  const r = await operator.post<Job>('/v1/imports', { mode: 'receive', source: 'gs://imports-test/missing.csv' });
  expect(r.status).toBe(202);
  let job: Job & { failure?: string } = r.body;
  for (let i = 0; i < 100 && job.status !== 'failed'; i++) {
    await new Promise((res) => setTimeout(res, 50));
    job = (await operator.get<Job>(`/v1/imports/${r.body.id}`)).body;
  }
  expect(job.status).toBe('failed');
  expect(job.failure).toContain('missing.csv');
});
