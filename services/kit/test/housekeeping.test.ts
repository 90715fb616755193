import path from 'node:path';
import pino from 'pino';
import { createTestDatabase, periodic, purgeProcessedEvents, startHousekeeping, type TestDatabase } from '@shop/kit';

let database: TestDatabase;
const logger = pino({ level: 'silent' });
const daysAgo = (days: number) => new Date(Date.now() - days * 24 * 3600_000);

beforeAll(async () => {
  database = await createTestDatabase(path.resolve(__dirname, 'fixtures/no-migrations'), 'housekeeping');
});

afterAll(async () => {
  await database.drop();
});

it('purges records of handled events past the retention, and only those', async () => {
  await database.db('processed_events').insert([
    { consumer: 'a', event_id: 'old-1', processed_at: daysAgo(9) },
    { consumer: 'b', event_id: 'old-2', processed_at: daysAgo(9) },
    { consumer: 'a', event_id: 'recent', processed_at: daysAgo(6) },
  ]);
  expect(await purgeProcessedEvents(database.db)).toBe(2);
  expect((await database.db('processed_events').select('event_id')).map((r: { event_id: string }) => r.event_id)).toEqual(['recent']);
});

it('runs the kit\'s purges and a service\'s own tasks on every round', async () => {
  await database.db('processed_events').insert({ consumer: 'a', event_id: 'old-3', processed_at: daysAgo(10) });
  let extra = 0;
  const housekeeping = startHousekeeping(database.db, logger, { mine: () => Promise.resolve(++extra) }, 20);
  await new Promise((r) => setTimeout(r, 150));
  await housekeeping.stop();
  expect(extra).toBeGreaterThan(1);
  expect(await database.db('processed_events').where({ event_id: 'old-3' }).first()).toBeUndefined();
});

it('never runs a periodic task twice at once, survives its failures and waits for the run in progress on stop', async () => {
  let running = 0;
  let most = 0;
  let runs = 0;
  let finished = 0;
  const loop = periodic(
    'test loop',
    5,
    async () => {
      runs += 1;
      running += 1;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 30));
      running -= 1;
      finished += 1;
      if (runs % 2 === 1) throw new Error('every other run fails');
    },
    logger,
  );
  await new Promise((r) => setTimeout(r, 200));
  await loop.stop();
  expect(most).toBe(1);
  expect(runs).toBeGreaterThan(2);
  expect(finished).toBe(runs);
});
