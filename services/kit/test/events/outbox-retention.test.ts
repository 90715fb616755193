import path from 'node:path';
import { createTestDatabase, purgePublishedOutbox, writeOutbox, type TestDatabase } from '@shop/kit';
import { stockEvent } from './support';

let testDb: TestDatabase;

beforeAll(async () => {
  testDb = await createTestDatabase(path.resolve(__dirname, '../fixtures/no-migrations'), 'kit_retention');
});

afterAll(async () => {
  await testDb.drop();
});

it('deletes only rows published before the retention window, never pending ones', async () => {
  const events = Array.from({ length: 6 }, (_, i) => stockEvent('inventory-events', `SKU-${i}`, i));
  await testDb.db.transaction((trx) => writeOutbox(trx, events));
  const ids = events.map((e) => e.id);
  await testDb.db('outbox').whereIn('id', ids.slice(0, 2)).update({ published_at: testDb.db.raw("now() - interval '8 days'") });
  await testDb.db('outbox').whereIn('id', ids.slice(2, 4)).update({ published_at: testDb.db.raw("now() - interval '1 hour'") });

  expect(await purgePublishedOutbox(testDb.db, 7 * 24 * 3600)).toBe(2);
  const left = ((await testDb.db('outbox').select('id')) as Array<{ id: string }>).map((r) => r.id).sort();
  expect(left).toEqual(ids.slice(2).sort());
  expect(await purgePublishedOutbox(testDb.db, 60)).toBe(2);
  expect(await testDb.db('outbox').whereNull('published_at').count<Array<{ count: string }>>('* as count')).toEqual([{ count: '2' }]);
});
