import path from 'node:path';
import pino from 'pino';
import { createTestDatabase, JobQueue, type TestDatabase } from '@shop/kit';

let database: TestDatabase;
const logger = pino({ level: 'silent' });

beforeAll(async () => {
  database = await createTestDatabase(path.resolve(__dirname, '../fixtures/no-migrations'), 'jobqueue');
  await database.db.raw(`create table jobs (id text primary key, status text not null, payload text, failure text,
    created_at timestamptz not null default now(), started_at timestamptz, finished_at timestamptz)`);
});

afterAll(async () => {
  await database.drop();
});

const statuses = async (): Promise<Record<string, string>> =>
  Object.fromEntries(((await database.db('jobs').select('id', 'status')) as Array<{ id: string; status: string }>).map((r) => [r.id, r.status]));

const until = async (check: () => Promise<boolean>): Promise<void> => {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

it('works through queued jobs in order, fails a job that throws, and takes over one a dead instance left running', async () => {
  await database.db('jobs').insert([
    { id: 'a', status: 'queued', payload: 'ok', created_at: new Date(Date.now() - 3000) },
    { id: 'b', status: 'queued', payload: 'boom', created_at: new Date(Date.now() - 2000) },
    // Left running an hour ago by an instance that died.
    { id: 'c', status: 'running', payload: 'ok', created_at: new Date(Date.now() - 1000), started_at: new Date(Date.now() - 3_600_000) },
  ]);
  const done: string[] = [];
  const queue = new JobQueue<{ id: string; payload: string }>({
    db: database.db,
    table: 'jobs',
    logger,
    staleAfterSeconds: 600,
    process: async (job, control) => {
      if (job.payload === 'boom') throw new Error('bad file');
      done.push(job.id);
      await control.finish('succeeded', null);
      return 'done';
    },
  });
  queue.kick();
  await until(async () => Object.values(await statuses()).every((s) => s === 'succeeded' || s === 'failed'));
  await queue.stop();
  expect(done).toEqual(['a', 'c']);
  expect(await statuses()).toEqual({ a: 'succeeded', b: 'failed', c: 'succeeded' });
  expect((await database.db('jobs').where({ id: 'b' }).first()).failure).toBe('stopped: bad file');
});

it('gives a job back to the queue when it is stopped part-way, for the next instance', async () => {
  await database.db('jobs').insert({ id: 'long', status: 'queued', payload: 'ok' });
  let started!: () => void;
  const running = new Promise<void>((r) => (started = r));
  const queue = new JobQueue<{ id: string }>({
    db: database.db,
    table: 'jobs',
    logger,
    staleAfterSeconds: 600,
    process: async (_job, control) => {
      started();
      while (!control.stopping) await new Promise((r) => setTimeout(r, 10));
      return 'requeued';
    },
  });
  queue.kick();
  await running;
  await queue.stop();
  expect((await statuses()).long).toBe('queued');
});
