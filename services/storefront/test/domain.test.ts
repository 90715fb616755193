import fc from 'fast-check';
import type { CartView } from '@shop/contracts';
import { cartChangeEvents, nameBasedUuid } from '../src/domain/activity-events';
import { readListing } from '../src/domain/listing';
import { formatMoney, parseMajorAmount } from '../src/domain/money';
import { sellableTotal, stockLabel } from '../src/domain/stock';
import { SseParser } from '../src/live/sse-parser';
import { html } from '../src/render/html';

describe('html', () => {
  it('escapes every interpolated string, so text can never become markup', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const escaped = html`${text}`.value;
        expect(escaped).not.toMatch(/[<>"'`]/);
        const decoded = escaped.replace(/&(amp|lt|gt|quot|#39|#96);/g, (entity) => ({ '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&#96;': '`' })[entity]!);
        expect(decoded).toBe(text);
        expect(html`<p title="${text}">${text}</p>`.value).toBe(`<p title="${escaped}">${escaped}</p>`);
      }),
    );
  });

  it('keeps nested templates as markup and renders lists, leaving out null, undefined and false', () => {
    const items = ['<a>', 'b'].map((t) => html`<li>${t}</li>`);
    expect(html`<ul>${items}${null}${undefined}${false}${0}</ul>`.value).toBe('<ul><li>&lt;a&gt;</li><li>b</li>0</ul>');
  });
});

describe('money', () => {
  it('formats minor units in their currency', () => {
    expect(formatMoney(1999, 'EUR')).toBe('€19.99');
    expect(formatMoney(500, 'JPY')).toBe('¥500');
  });

  it('reads typed prices into minor units and refuses what is not a price', () => {
    expect(parseMajorAmount('12', 'EUR')).toEqual({ minor: 1200 });
    expect(parseMajorAmount('12,5', 'EUR')).toEqual({ minor: 1250 });
    expect(parseMajorAmount('0.07', 'EUR')).toEqual({ minor: 7 });
    expect(parseMajorAmount('1200', 'JPY')).toEqual({ minor: 1200 });
    for (const bad of ['', '-1', '1.999', '1e3', 'abc', '12.5', '9999999999']) {
      expect(parseMajorAmount(bad, bad === '12.5' ? 'JPY' : 'EUR')).toHaveProperty('error');
    }
  });
});

describe('listing filters', () => {
  const options = { currency: 'EUR', pageSize: 24, search: false };

  it('turns a filter form into a catalog query', () => {
    const listing = readListing({ minPrice: '10', maxPrice: '20.50', inStock: 'true', sort: 'price_asc', cursor: 'abc_-1' }, options);
    expect(listing.errors).toEqual({});
    expect(listing.catalog).toEqual({ limit: 24, minPrice: 1000, maxPrice: 2050, inStock: 'true', sort: 'price_asc', cursor: 'abc_-1' });
  });

  it('names each field that is wrong, and treats empty fields as not given', () => {
    const listing = readListing({ minPrice: '30', maxPrice: '20', sort: 'relevance', inStock: 'yes', cursor: 'a b' }, options);
    expect(Object.keys(listing.errors).sort()).toEqual(['cursor', 'inStock', 'maxPrice', 'sort']);
    expect(readListing({ minPrice: '', maxPrice: ' ', sort: '' }, options).errors).toEqual({});
    expect(readListing({ minPrice: ['1', '2'] }, options).errors.minPrice).toBe('must be given once');
    expect(readListing({ sort: 'relevance' }, { ...options, search: true }).errors).toEqual({});
  });
});

describe('stock', () => {
  it('sums what each warehouse can sell; one below zero takes nothing from the others', () => {
    expect(sellableTotal([5, -3, 2])).toBe(7);
    expect(stockLabel(0)).toBe('Out of stock');
    expect(stockLabel(3)).toBe('Only 3 left');
    expect(stockLabel(40)).toBe('In stock');
  });
});

describe('server-sent events', () => {
  const stream = 'retry: 5000\n\n: keep-alive\n\nid: 1\nevent: snapshot\ndata: [1,\ndata: 2]\n\r\nevent: levels\r\ndata: {"a":1}\r\n\r\ndata: plain\n\n';
  const expected = [
    { event: 'snapshot', data: '[1,\n2]' },
    { event: 'levels', data: '{"a":1}' },
    { event: 'message', data: 'plain' },
  ];

  it('reads the same messages however the stream is cut into chunks', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 12 }), (cuts) => {
        const bounds = [0, ...cuts.sort((a, b) => a - b), stream.length];
        const parser = new SseParser();
        const messages = bounds.slice(1).flatMap((end, i) => parser.feed(stream.slice(bounds[i], end)));
        expect(messages).toEqual(expected);
      }),
    );
  });
});

describe('activity events', () => {
  const line = (sku: string, quantity: number) => ({ sku, productId: '6f1f4e5e-2f0b-4a4c-9d1e-9a3b8f0e7c11', name: sku, slug: 'x', options: {}, quantity, unitPriceMinor: 500, lineTotalMinor: 500 * quantity, available: 10, problem: null });
  const cart = (lines: ReturnType<typeof line>[]): CartView => ({ id: '0d6c1c4e-7a43-4f7e-8f0e-2a1b3c4d5e6f', shopperId: 'shopper-1', currency: 'EUR', lines, itemCount: 0, subtotalMinor: 0, version: 1, updatedAt: new Date().toISOString() });
  const who = { shopperId: 'shopper-1', sessionId: 'session-1' };

  it('describes a cart change as the units added and removed per SKU', () => {
    const events = cartChangeEvents(cart([line('A', 2), line('B', 1)]), cart([line('A', 5), line('C', 1)]), who, new Date());
    expect(events.map((e) => [e.type, 'sku' in e ? e.sku : null, 'quantity' in e ? e.quantity : null])).toEqual([
      ['cart_item_added', 'A', 3],
      ['cart_item_removed', 'B', 1],
      ['cart_item_added', 'C', 1],
    ]);
  });

  it('names purchase events the same way every time, so repeats are recognised', () => {
    expect(nameBasedUuid('purchase:o1:A')).toBe(nameBasedUuid('purchase:o1:A'));
    expect(nameBasedUuid('purchase:o1:A')).not.toBe(nameBasedUuid('purchase:o1:B'));
    expect(nameBasedUuid('x')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
