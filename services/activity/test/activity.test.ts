import { randomUUID } from 'node:crypto';
import { activityDataSchemaOf, activityShard, cloudEventAttributesSchema } from '@shop/contracts';
import { PubSubBus, createLogger } from '@shop/kit';
import { cookieHeader, setCookies, startHarness, type Harness } from './support';

let h: Harness;
let serviceToken: string;

beforeAll(async () => {
  h = await startHarness();
  serviceToken = await h.issuer.sign({ subject: 'storefront', roles: ['service'], warehouses: ['*'] });
});

afterAll(async () => {
  await h.close();
});

const productId = randomUUID();
const line = { productId, sku: 'TEE-BLK-M', quantity: 2, priceMinor: 1999, currency: 'EUR' };

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(h.url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

describe('events from the storefront server', () => {
  it('publishes each event to activity-events as a valid CloudEvent, sharded by shopper, keeping the sender\'s event id', async () => {
    const before = h.received.length;
    const eventId = randomUUID();
    const res = await post(
      '/v1/activity',
      {
        events: [
          { type: 'cart_item_added', eventId, shopperId: 'shopper-aaaa', sessionId: 'session-aaaa', ...line },
          { type: 'checkout_started', shopperId: 'shopper-bbbb', sessionId: 'session-bbbb', cartId: randomUUID(), itemCount: 2, valueMinor: 3998, currency: 'EUR' },
        ],
      },
      { authorization: `Bearer ${serviceToken}` },
    );
    expect(res.status).toBe(202);
    const answer = (await res.json()) as { accepted: number; eventIds: string[] };
    expect(answer.accepted).toBe(2);
    expect(answer.eventIds[0]).toBe(eventId);

    await h.waitFor(before + 2);
    const mine = h.received.filter((r) => answer.eventIds.includes(r.event.id));
    expect(mine.map((r) => r.event.type).sort()).toEqual(['activity.cart_item_added', 'activity.checkout_started']);
    for (const { event, attributes } of mine) {
      expect(cloudEventAttributesSchema.safeParse(attributes).success).toBe(true);
      expect(activityDataSchemaOf(event.type)?.safeParse(event.data).success).toBe(true);
      const data = event.data as { shopperId: string; eventTime: string };
      expect(attributes.shard).toBe(String(activityShard(data.shopperId)));
      expect(event.time).toBe(data.eventTime);
    }
    const added = mine.find((r) => r.event.type === 'activity.cart_item_added')!;
    expect(added.event.subject).toBe(productId);
    expect(added.event.data).toMatchObject({ shopperId: 'shopper-aaaa', sessionId: 'session-aaaa', ...line });
  });

  it('needs a platform service token and names the shopper of every event', async () => {
    const body = { events: [{ type: 'cart_item_added', ...line }] };
    expect((await post('/v1/activity', body)).status).toBe(401);
    const staff = await h.issuer.sign({ subject: 'someone', roles: ['viewer'], warehouses: ['*'] });
    expect((await post('/v1/activity', body, { authorization: `Bearer ${staff}` })).status).toBe(403);
    const res = await post('/v1/activity', body, { authorization: `Bearer ${serviceToken}` });
    expect(res.status).toBe(400);
    const problem = (await res.json()) as { errors: Array<{ field: string }> };
    expect(problem.errors.map((e) => e.field).sort()).toEqual(['body.events.0.sessionId', 'body.events.0.shopperId']);
  });

  it('refuses event times in the future and long past, naming the event', async () => {
    const future = new Date(Date.now() + 60 * 60_000).toISOString();
    const res = await post('/v1/activity', { events: [{ type: 'product_viewed', productId, sku: null, shopperId: 'shopper-cccc', sessionId: 'session-cccc' }, { type: 'product_viewed', productId, sku: null, shopperId: 'shopper-cccc', sessionId: 'session-cccc', eventTime: future }] }, { authorization: `Bearer ${serviceToken}` });
    expect(res.status).toBe(400);
    const problem = (await res.json()) as { errors: Array<{ field: string; message: string }> };
    expect(problem.errors).toEqual([{ field: 'body.events.1.eventTime', message: 'is in the future' }]);
  });
});

describe('the page beacon', () => {
  it('takes the shopper and session from the signed cookies and extends the session', async () => {
    const before = h.received.length;
    const res = await fetch(`${h.url}/beacon`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain;charset=UTF-8', cookie: cookieHeader(h.cookies, 'shopper-dddd', 'session-dddd') },
      body: JSON.stringify({ type: 'search_performed', query: 'hoodie', resultCount: 3 }),
    });
    expect(res.status).toBe(202);
    const cookies = setCookies(res);
    expect(cookies.has('sid')).toBe(false);
    expect(cookies.get('ssn')).toMatch(/^ssn=session-dddd\.[\w-]+; Path=\/; SameSite=Lax; Max-Age=1800; HttpOnly; Secure$/);
    const [event] = (await h.waitFor(before + 1)).slice(before);
    expect(event!.event.data).toMatchObject({ shopperId: 'shopper-dddd', sessionId: 'session-dddd', query: 'hoodie', resultCount: 3 });
  });

  it('gives a new visitor, or one whose cookies do not verify, fresh ids instead of trusting them', async () => {
    const forged = `sid=shopper-eeee.${'A'.repeat(43)}; ssn=garbage`;
    for (const cookie of [undefined, forged]) {
      const before = h.received.length;
      const res = await fetch(`${h.url}/beacon`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
        body: JSON.stringify({ events: [{ type: 'product_viewed', productId }] }),
      });
      expect(res.status).toBe(202);
      const cookies = setCookies(res);
      const shopperId = /^sid=([\w-]+)\./.exec(cookies.get('sid') ?? '')?.[1];
      expect(shopperId).toBeDefined();
      expect(shopperId).not.toBe('shopper-eeee');
      expect(h.cookies.verify('sid', /^sid=([^;]+)/.exec(cookies.get('sid')!)?.[1])).toBe(shopperId);
      const [event] = (await h.waitFor(before + 1)).slice(before);
      expect((event!.event.data as { shopperId: string }).shopperId).toBe(shopperId);
    }
  });

  it('records views from pages without JavaScript through the pixel', async () => {
    const before = h.received.length;
    const res = await fetch(`${h.url}/beacon/pixel.gif?type=product_viewed&productId=${productId}&sku=TEE-BLK-M&_=123`, { headers: { cookie: cookieHeader(h.cookies, 'shopper-ffff', 'session-ffff') } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/gif');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(Buffer.from(await res.arrayBuffer()).subarray(0, 6).toString('ascii')).toBe('GIF89a');
    const [event] = (await h.waitFor(before + 1)).slice(before);
    expect(event!.event.type).toBe('activity.product_viewed');
    expect(event!.event.data).toMatchObject({ shopperId: 'shopper-ffff', productId, sku: 'TEE-BLK-M' });
  });

  it('answers bad beacons with a problem naming the field', async () => {
    const res = await fetch(`${h.url}/beacon`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"type":"product_viewed","productId":"nope"}' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: Array<{ field: string }> }).errors.map((e) => e.field)).toContain('body.productId');
    const notJson = await fetch(`${h.url}/beacon`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"type":' });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { errors: Array<{ field: string }> }).errors).toEqual([{ field: 'body', message: 'is not valid JSON' }]);
  });
});

describe('limits and faults', () => {
  it('rate-limits beacons per client', async () => {
    const limited = await startHarness({ beaconRateLimit: 3 });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await fetch(`${limited.url}/beacon`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ type: 'product_viewed', productId }) });
        statuses.push(res.status);
        if (res.status === 429) expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      }
      expect(statuses).toEqual([202, 202, 202, 429, 429]);
    } finally {
      await limited.close();
    }
  });

  it('answers 503 when Pub/Sub does not accept the events, so the sender sends them again', async () => {
    const logger = createLogger({ service: 'activity-test', level: 'silent' });
    const bus = new PubSubBus({ projectId: `activity-down-${randomUUID().slice(0, 8)}`, autoCreate: true, logger, publishTimeoutMs: 1_000 });
    const down = await startHarness({ bus });
    try {
      // Deleting the topic makes every publish fail, as an outage would.
      await bus.pubsub.topic('activity-events').delete();
      const res = await fetch(`${down.url}/beacon`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ type: 'product_viewed', productId }) });
      expect(res.status).toBe(503);
      expect(((await res.json()) as { type: string }).type).toMatch(/events-unavailable$/);
    } finally {
      await down.close();
    }
  });
});
