import path from 'node:path';
import { createDeduplicator, createTestDatabase, runOnce, type Knex, type TestDatabase } from '@shop/kit';
import { sleep } from './support';

const NO_MIGRATIONS = path.resolve(__dirname, '../fixtures/no-migrations');

describe('processed events (consumer deduplication)', () => {
  let testDb: TestDatabase;

  beforeAll(async () => {
    testDb = await createTestDatabase(NO_MIGRATIONS, 'kit_dedup');
    await testDb.db.schema.createTable('ledger', (t) => {
      t.text('event_id').notNullable();
      t.text('consumer').notNullable();
    });
  });

  afterAll(async () => {
    await testDb?.drop();
  });

  const ledger = async (consumer: string): Promise<string[]> =>
    (await testDb.db('ledger').where({ consumer }).orderBy('event_id').select<{ event_id: string }[]>('event_id')).map((r) => r.event_id);

  const apply = (consumer: string, eventId: string) => async (trx: Knex.Transaction): Promise<string> => {
    await trx('ledger').insert({ consumer, event_id: eventId });
    return eventId;
  };

  it('runs the work once per consumer and event id', async () => {
    const first = await testDb.db.transaction((trx) => runOnce(trx, 'stock-view', 'evt-1', apply('stock-view', 'evt-1')));
    const again = await testDb.db.transaction((trx) => runOnce(trx, 'stock-view', 'evt-1', apply('stock-view', 'evt-1')));
    const otherConsumer = await testDb.db.transaction((trx) => runOnce(trx, 'search-index', 'evt-1', apply('search-index', 'evt-1')));

    expect(first).toEqual({ ran: true, result: 'evt-1' });
    expect(again).toEqual({ ran: false });
    expect(otherConsumer).toEqual({ ran: true, result: 'evt-1' });
    expect(await ledger('stock-view')).toEqual(['evt-1']);
    expect(await ledger('search-index')).toEqual(['evt-1']);
  });

  it('forgets the event when the work fails, so a redelivery runs it', async () => {
    const dedup = createDeduplicator(testDb.db, 'flaky');
    await expect(
      dedup.run('evt-2', async (trx) => {
        await apply('flaky', 'evt-2')(trx);
        throw new Error('downstream unavailable');
      }),
    ).rejects.toThrow('downstream unavailable');
    expect(await ledger('flaky')).toEqual([]);

    expect(await dedup.run('evt-2', apply('flaky', 'evt-2'))).toEqual({ ran: true, result: 'evt-2' });
    expect(await ledger('flaky')).toEqual(['evt-2']);
  });

  it('runs concurrent duplicates once', async () => {
    const dedup = createDeduplicator(testDb.db, 'racer');
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        dedup.run('evt-3', async (trx) => {
          await sleep(50);
          return apply('racer', 'evt-3')(trx);
        }),
      ),
    );

    expect(results.filter((r) => r.ran)).toHaveLength(1);
    expect(await ledger('racer')).toEqual(['evt-3']);
  });
});
