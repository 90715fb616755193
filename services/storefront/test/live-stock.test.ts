import { CookieSigner, devServiceCredentials, listen, MemoryCache, type RunningServer } from '@shop/kit';
import { freePort } from '../../kit/test-support/ports';
import { createCallees, createStorefrontApp } from '../src/index';
import { COOKIE_KEY, seedShop, startShop, waitFor, WAREHOUSE, type Shop } from './support/shop';

let shop: Shop;

beforeAll(async () => {
  shop = await startShop({ name: 'live' });
  await seedShop(shop);
});

afterAll(async () => {
  await shop.close();
});

interface Stream {
  status: number;
  headers: Headers;
  /** Resolves with the next `stock` event's totals. */
  next(): Promise<unknown[]>;
  close(): void;
}

/** Opens /live/stock as a browser's EventSource would, reading `stock` events as they arrive. */
async function openStream(path: string): Promise<Stream> {
  const abort = new AbortController();
  const res = await fetch(shop.url + path, { headers: { accept: 'text/event-stream' }, signal: abort.signal });
  const events: unknown[][] = [];
  const waiting: Array<() => void> = [];
  if (res.status === 200 && res.body) {
    void (async () => {
      let buffer = '';
      try {
        for await (const chunk of res.body!.pipeThrough(new TextDecoderStream())) {
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (/^event: stock$/m.test(block) && data) events.push(JSON.parse(data) as unknown[]);
            for (const wake of waiting.splice(0)) wake();
          }
        }
      } catch {
        // closed by the test
      }
    })();
  }
  return {
    status: res.status,
    headers: res.headers,
    next: async () => {
      const deadline = Date.now() + 10_000;
      while (events.length === 0) {
        if (Date.now() > deadline) throw new Error('no stock event within 10 s');
        await new Promise<void>((r) => {
          waiting.push(r);
          setTimeout(r, 100);
        });
      }
      return events.shift()!;
    },
    close: () => abort.abort(),
  };
}

it('streams per-SKU totals, first as they are, then each change made through the inventory API', async () => {
  const stream = await openStream('/live/stock?skus=TEE-BLK-M,TEE-BLK-L');
  try {
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(stream.headers.get('cache-control')).toBe('no-store');
    expect(await stream.next()).toEqual(expect.arrayContaining([{ sku: 'TEE-BLK-M', available: 20 }, { sku: 'TEE-BLK-L', available: 3 }]));

    const received = await shop.inventoryAdmin('POST', '/v1/stock/receive', { warehouseId: WAREHOUSE, sku: 'TEE-BLK-L', quantity: 5 });
    expect(received.status).toBe(201);
    expect(await stream.next()).toEqual([{ sku: 'TEE-BLK-L', available: 8 }]);

    // A second warehouse adds to the total; which warehouse holds what never reaches the shopper.
    expect((await shop.inventoryAdmin('POST', '/v1/warehouses', { id: 'second', name: 'Second', priority: 2 })).status).toBe(201);
    expect((await shop.inventoryAdmin('POST', '/v1/stock/receive', { warehouseId: 'second', sku: 'TEE-BLK-M', quantity: 4 })).status).toBe(201);
    const totals = await stream.next();
    expect(totals).toEqual([{ sku: 'TEE-BLK-M', available: 24 }]);
    expect(JSON.stringify(totals)).not.toContain('second');
  } finally {
    stream.close();
  }
});

it('serves every shopper watching a product from one upstream stream, and keeps the others going when one leaves', async () => {
  const first = await openStream('/live/stock?skus=MUG-ENA');
  const second = await openStream('/live/stock?skus=MUG-ENA');
  try {
    expect(await first.next()).toEqual([{ sku: 'MUG-ENA', available: 30 }]);
    expect(await second.next()).toEqual([{ sku: 'MUG-ENA', available: 30 }]);
    await waitFor('one upstream stream for both shoppers', () => shop.storefront.live.upstreamCount === 1);
    first.close();
    expect((await shop.inventoryAdmin('POST', '/v1/stock/adjust', { warehouseId: WAREHOUSE, sku: 'MUG-ENA', delta: -2, reason: 'damage' })).status).toBe(201);
    expect(await second.next()).toEqual([{ sku: 'MUG-ENA', available: 28 }]);
    second.close();
    await waitFor('the upstream stream to close with its last shopper', () => shop.storefront.live.upstreamCount === 0);
  } finally {
    first.close();
    second.close();
  }
});

it('refuses malformed SKU lists with a problem document', async () => {
  for (const path of ['/live/stock', '/live/stock?skus=', `/live/stock?skus=${'A,'.repeat(60)}A`, '/live/stock?skus=%3Cscript%3E']) {
    const res = await fetch(shop.url + path);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  }
});

it('answers 503 with Retry-After when inventory cannot be reached', async () => {
  const nowhere = `http://127.0.0.1:${await freePort()}`;
  const callees = createCallees({ catalogUrl: shop.catalog.url, inventoryUrl: nowhere, ordersUrl: nowhere, activityUrl: nowhere, credentials: devServiceCredentials(shop.issuer, 'storefront@test'), timeoutMs: 500 });
  const { app } = createStorefrontApp({ logger: shop.logger, cache: new MemoryCache(), cookies: new CookieSigner(COOKIE_KEY), callees, activity: { record: () => undefined } });
  const server: RunningServer = await listen(app, 0, '127.0.0.1');
  try {
    const res = await fetch(`${server.url}/live/stock?skus=MUG-ENA`);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('15');
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    // The product page still renders, with the stock the catalog last heard of.
    const page = await fetch(`${server.url}/p/enamel-mug`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('In stock');
  } finally {
    await server.close();
    callees.close();
  }
});
