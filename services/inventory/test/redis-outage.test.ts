import { createLogger, createRedisCache, type RedisCache } from '@shop/kit';
import { freePort, PrivateRedis } from '../../kit/test-support/private-redis';
import { seed, startHarness, type Harness } from './support';

let redis: PrivateRedis;
let cache: RedisCache;
let h: Harness;

beforeAll(async () => {
  redis = new PrivateRedis(await freePort());
  await redis.start();
  cache = await createRedisCache({ url: redis.url, logger: createLogger({ service: 'test', level: 'silent' }), keyPrefix: 'inv-outage:' });
  h = await startHarness({ cache });
  await seed(h, [{ id: 'hub', priority: 1 }], [{ warehouseId: 'hub', sku: 'RD-1', quantity: 10 }]);
});

afterAll(async () => {
  await h.close();
  await cache.close();
  await redis.kill();
});

/** Reads SSE frames from a streaming response as they arrive. */
async function openStream(path: string): Promise<{ status: number; events: Array<{ event: string; data: unknown }>; done: Promise<void>; close(): void }> {
  const token = await h.issuer.sign({ subject: 'viewer@test', roles: ['viewer'], warehouses: ['*'] });
  const controller = new AbortController();
  const res = await fetch(`${h.server.url}${path}`, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
  const events: Array<{ event: string; data: unknown }> = [];
  const done = (async () => {
    if (!res.body || res.status !== 200) return;
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(frame)?.[1];
          const data = /^data: (.*)$/m.exec(frame)?.[1];
          if (event && data) events.push({ event, data: JSON.parse(data) as unknown });
        }
      }
    } catch {
      // aborted by close()
    }
  })();
  return { status: res.status, events, done, close: () => controller.abort() };
}

const waitFor = async (what: string, check: () => boolean, ms = 10_000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

it('streams live levels through Redis, keeps serving reads and writes while Redis is down, and says clearly that the stream is unavailable', async () => {
  const stream = await openStream('/v1/stream/levels?skus=RD-1');
  expect(stream.status).toBe(200);
  await waitFor('snapshot', () => stream.events.length >= 1);
  expect(stream.events[0]).toMatchObject({ event: 'snapshot', data: [expect.objectContaining({ sku: 'RD-1', onHand: 10 })] });

  const operator = h.as(['operator']);
  await operator.post('/v1/stock/receive', { warehouseId: 'hub', sku: 'RD-1', quantity: 5 });
  await waitFor('live update', () => stream.events.some((e) => e.event === 'levels'));
  expect(stream.events.find((e) => e.event === 'levels')).toMatchObject({ data: [expect.objectContaining({ sku: 'RD-1', onHand: 15 })] });

  await redis.kill();
  await waitFor('stream told it is unavailable', () => stream.events.some((e) => e.event === 'unavailable'));
  await stream.done;

  const received = await operator.post('/v1/stock/receive', { warehouseId: 'hub', sku: 'RD-1', quantity: 2 });
  expect(received.status).toBe(201);
  const reserved = await h.as(['service']).post('/v1/reservations', { reference: 'while-redis-down', lines: [{ sku: 'RD-1', quantity: 3 }] });
  expect(reserved.status).toBe(201);
  const availability = await h.as(['viewer']).get<{ items: Array<{ available: number }> }>('/v1/availability?skus=RD-1');
  expect(availability.status).toBe(200);
  expect(availability.body.items[0]!.available).toBe(14);

  const refused = await openStream('/v1/stream/levels?skus=RD-1');
  expect(refused.status).toBe(503);

  await redis.start();
  await waitFor('cache back', () => cache.isAvailable(), 15_000);
  await new Promise((r) => setTimeout(r, 1_500)); // the feed re-subscribes on its next watchdog tick
  const again = await openStream('/v1/stream/levels?skus=RD-1');
  expect(again.status).toBe(200);
  await waitFor('snapshot after recovery', () => again.events.length >= 1);
  await operator.post('/v1/stock/receive', { warehouseId: 'hub', sku: 'RD-1', quantity: 1 });
  await waitFor('live update after recovery', () => again.events.some((e) => e.event === 'levels'));
  again.close();
}, 60_000);
