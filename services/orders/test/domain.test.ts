import fc from 'fast-check';
import { MAX_CART_LINES, ORDER_STATUSES, type OrderStatus, type SkuPrice } from '@shop/contracts';
import { cardExpired, summarizeCard } from '../src/domain/cards';
import { changeLine, lineProblem, type StoredLine } from '../src/domain/cart';
import { normalizeOrderNumber, ORDER_NUMBER_ALPHABET, orderNumberFrom } from '../src/domain/order-number';
import { effectsOf, IllegalTransition, nextStatus, ORDER_ACTIONS, paymentStateAfter, transition, type OrderAction } from '../src/domain/order-states';
import { priceCart } from '../src/domain/pricing';

describe('order transition table', () => {
  const legal: Array<[OrderStatus, OrderAction, OrderStatus]> = [
    ['pending_payment', 'pay', 'paid'],
    ['pending_payment', 'cancel', 'cancelled'],
    ['paid', 'fulfil', 'fulfilled'],
    ['paid', 'cancel', 'refunded'],
    ['paid', 'refund', 'refunded'],
    ['fulfilled', 'refund', 'refunded'],
  ];

  it('allows exactly the listed transitions and refuses every other pair', () => {
    for (const from of ORDER_STATUSES) {
      for (const action of ORDER_ACTIONS) {
        const expected = legal.find(([f, a]) => f === from && a === action)?.[2] ?? null;
        expect([from, action, nextStatus(from, action)]).toEqual([from, action, expected]);
        if (expected) expect(transition(from, action)).toBe(expected);
        else expect(() => transition(from, action)).toThrow(IllegalTransition);
      }
    }
  });

  it('ends in cancelled or refunded, from which nothing leads on', () => {
    for (const action of ORDER_ACTIONS) {
      expect(nextStatus('cancelled', action)).toBeNull();
      expect(nextStatus('refunded', action)).toBeNull();
    }
  });

  it('names the state and action in the refusal', () => {
    expect(() => transition('fulfilled', 'cancel')).toThrow('an order that is fulfilled cannot be cancelled');
  });

  it('puts unshipped stock back and moves money back only where it was taken', () => {
    expect(effectsOf('pending_payment', 'cancel')).toEqual({ voidPayment: true, refundPayment: false, releaseStock: true, fulfilStock: false });
    expect(effectsOf('paid', 'cancel')).toEqual({ voidPayment: false, refundPayment: true, releaseStock: true, fulfilStock: false });
    expect(effectsOf('paid', 'refund')).toEqual({ voidPayment: false, refundPayment: true, releaseStock: true, fulfilStock: false });
    expect(effectsOf('fulfilled', 'refund')).toEqual({ voidPayment: false, refundPayment: true, releaseStock: false, fulfilStock: false });
    expect(effectsOf('paid', 'fulfil')).toEqual({ voidPayment: false, refundPayment: false, releaseStock: false, fulfilStock: true });
    expect(() => effectsOf('cancelled', 'refund')).toThrow(IllegalTransition);
  });

  it('keeps the payment state in step with the order', () => {
    expect(paymentStateAfter('paid', 'authorized')).toBe('captured');
    expect(paymentStateAfter('cancelled', 'declined')).toBe('declined');
    expect(paymentStateAfter('cancelled', 'authorized')).toBe('voided');
    expect(paymentStateAfter('cancelled', 'pending')).toBe('voided');
    expect(paymentStateAfter('refunded', 'captured')).toBe('refunded');
    expect(paymentStateAfter('fulfilled', 'captured')).toBe('captured');
  });
});

const price = (sku: string, overrides: Partial<SkuPrice> = {}): SkuPrice => ({
  sku,
  productId: '7d5f3a2c-1b4e-4c8a-9f6d-2e1a0b9c8d7e',
  productName: `Name ${sku}`,
  slug: sku.toLowerCase(),
  categoryId: null,
  options: {},
  priceMinor: 1_000,
  currency: 'EUR',
  sellable: true,
  ...overrides,
});

const line = (sku: string, quantity: number, overrides: Partial<StoredLine> = {}): StoredLine => ({
  sku,
  productId: '7d5f3a2c-1b4e-4c8a-9f6d-2e1a0b9c8d7e',
  name: `Name ${sku}`,
  slug: sku.toLowerCase(),
  categoryId: null,
  options: {},
  quantity,
  unitPriceMinor: 1_000,
  currency: 'EUR',
  sellable: true,
  available: 10,
  ...overrides,
});

describe('cart lines', () => {
  it('refuses unknown and unsellable SKUs, a second currency, more than available and a full cart', () => {
    const stock = new Map([['A', 5], ['B', 5], ['USD-1', 5]]);
    const prices = new Map([['A', price('A')], ['B', price('B', { sellable: false })], ['USD-1', price('USD-1', { currency: 'USD' })]]);
    expect(changeLine([], 'X', 1, prices, stock)).toEqual({ ok: false, refusal: { kind: 'unknown-sku' } });
    expect(changeLine([], 'B', 1, prices, stock)).toEqual({ ok: false, refusal: { kind: 'unsellable' } });
    expect(changeLine([line('A', 1)], 'USD-1', 1, prices, stock)).toEqual({ ok: false, refusal: { kind: 'currency-mismatch', cartCurrency: 'EUR', skuCurrency: 'USD' } });
    expect(changeLine([], 'A', 6, prices, stock)).toEqual({ ok: false, refusal: { kind: 'insufficient-stock', available: 5 } });
    const full = Array.from({ length: MAX_CART_LINES }, (_, i) => line(`F${i}`, 1));
    const fullPrices = new Map([...full.map((l) => [l.sku, price(l.sku)] as const), ['A', price('A')]]);
    expect(changeLine(full, 'A', 1, fullPrices, stock)).toEqual({ ok: false, refusal: { kind: 'cart-full', limit: MAX_CART_LINES } });
    // Changing a line already in a full cart is fine.
    expect(changeLine(full, 'F0', 1, fullPrices, new Map([['F0', 3]])).ok).toBe(true);
  });

  it('re-prices and re-checks every line on a change, keeps positions, and drops the currency with the last line', () => {
    const lines = [line('A', 2), line('B', 1), line('C', 1)];
    const prices = new Map([['A', price('A', { priceMinor: 1_100 })], ['B', price('B')]]);
    const stock = new Map([['A', 1], ['B', 0], ['C', 4]]);
    const change = changeLine(lines, 'B', 0, prices, stock);
    expect(change.ok).toBe(true);
    if (!change.ok) return;
    expect(change.lines.map((l) => [l.sku, l.unitPriceMinor, l.available, l.sellable, lineProblem(l)])).toEqual([
      ['A', 1_100, 1, true, 'insufficient_stock'],
      // C is no longer in the catalog's answer: it can no longer be bought.
      ['C', 1_000, 4, false, 'unavailable'],
    ]);
    const set = changeLine(lines, 'B', 3, new Map([['A', price('A')], ['B', price('B')], ['C', price('C')]]), new Map([['A', 5], ['B', 5], ['C', 5]]));
    expect(set.ok && set.lines.map((l) => `${l.sku}:${l.quantity}`)).toEqual(['A:2', 'B:3', 'C:1']);
    expect(changeLine([line('A', 1)], 'A', 0, new Map(), new Map())).toEqual({ ok: true, lines: [], currency: null });
  });

  it('reports out of stock before insufficient stock', () => {
    expect(lineProblem({ sellable: true, available: 0, quantity: 1 })).toBe('out_of_stock');
    expect(lineProblem({ sellable: true, available: 2, quantity: 3 })).toBe('insufficient_stock');
    expect(lineProblem({ sellable: false, available: 9, quantity: 1 })).toBe('unavailable');
    expect(lineProblem({ sellable: true, available: 3, quantity: 3 })).toBeNull();
  });
});

describe('checkout pricing', () => {
  const rule = { feeMinor: 495, freeFromMinor: 5_000 };

  it('prices lines from the catalog, adds shipping below the free threshold, and totals', () => {
    const priced = priceCart([line('A', 2), line('B', 1)], new Map([['A', price('A')], ['B', price('B')]]), rule);
    expect(priced).toEqual({
      ok: true,
      order: expect.objectContaining({ currency: 'EUR', subtotalMinor: 3_000, shippingMinor: 495, totalMinor: 3_495 }),
    });
    const free = priceCart([line('A', 5)], new Map([['A', price('A')]]), rule);
    expect(free.ok && free.order.shippingMinor).toBe(0);
  });

  it('refuses an empty cart, unsellable lines, changed prices, mixed currencies and totals too large to pay', () => {
    expect(priceCart([], new Map(), rule)).toEqual({ ok: false, refusal: { kind: 'empty' } });
    expect(priceCart([line('A', 1)], new Map(), rule)).toEqual({ ok: false, refusal: { kind: 'unsellable', skus: ['A'] } });
    expect(priceCart([line('A', 1)], new Map([['A', price('A', { priceMinor: 900 })]]), rule)).toEqual({ ok: false, refusal: { kind: 'prices-changed', changes: [{ sku: 'A', before: 1_000, after: 900 }] } });
    expect(priceCart([line('A', 1)], new Map([['A', price('A', { currency: 'USD' })]]), rule)).toEqual({ ok: false, refusal: { kind: 'mixed-currencies', currencies: ['EUR', 'USD'] } });
    const huge = line('A', 99, { unitPriceMinor: 100_000_000_00 });
    expect(priceCart([huge], new Map([['A', price('A', { priceMinor: 100_000_000_00 })]]), rule)).toEqual({ ok: false, refusal: { kind: 'too-large' } });
  });

  it('adds up for any cart: total = subtotal + shipping and each line = unit × quantity', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 1, max: 99 })), { minLength: 1, maxLength: 50 }), (spec) => {
        const lines = spec.map(([unit, quantity], i) => line(`S${i}`, quantity, { unitPriceMinor: unit }));
        const priced = priceCart(lines, new Map(lines.map((l) => [l.sku, price(l.sku, { priceMinor: l.unitPriceMinor })])), rule);
        if (!priced.ok) return false;
        const { order } = priced;
        return order.lines.every((l, i) => l.lineTotalMinor === spec[i]![0] * spec[i]![1]) && order.totalMinor === order.subtotalMinor + order.shippingMinor && order.subtotalMinor === order.lines.reduce((n, l) => n + l.lineTotalMinor, 0);
      }),
    );
  });
});

describe('order numbers', () => {
  it('are two groups of four unambiguous symbols, and read back whatever the case or dashes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }).filter((b) => b.filter((x) => x < 240).length >= 8), (bytes) => {
        const number = orderNumberFrom(bytes);
        expect(number).toMatch(new RegExp(`^[${ORDER_NUMBER_ALPHABET}]{4}-[${ORDER_NUMBER_ALPHABET}]{4}$`));
        expect(normalizeOrderNumber(number.toLowerCase().replace('-', ' '))).toBe(number);
      }),
    );
    expect(() => orderNumberFrom(new Uint8Array(16).fill(255))).toThrow(RangeError);
  });

  it('draw every symbol equally often', () => {
    const counts = new Map<string, number>();
    for (let byte = 0; byte < 256; byte++) {
      const bytes = new Uint8Array(8).fill(byte);
      if (byte >= 240) {
        expect(() => orderNumberFrom(bytes)).toThrow(RangeError);
        continue;
      }
      const symbol = orderNumberFrom(bytes)[0]!;
      counts.set(symbol, (counts.get(symbol) ?? 0) + 1);
    }
    expect(counts.size).toBe(ORDER_NUMBER_ALPHABET.length);
    expect(new Set(counts.values())).toEqual(new Set([8]));
  });
});

describe('cards', () => {
  it('keep only brand and last four digits', () => {
    expect(summarizeCard('4242424242424242')).toEqual({ brand: 'visa', last4: '4242' });
    expect(summarizeCard('5555555555554444')).toEqual({ brand: 'mastercard', last4: '4444' });
    expect(summarizeCard('2223003122003222')).toEqual({ brand: 'mastercard', last4: '3222' });
    expect(summarizeCard('378282246310005')).toEqual({ brand: 'amex', last4: '0005' });
    expect(summarizeCard('6011111111111117')).toEqual({ brand: 'discover', last4: '1117' });
    expect(summarizeCard('9999999999999995')).toEqual({ brand: 'card', last4: '9995' });
  });

  it('expire after the last day of their month', () => {
    const now = new Date('2031-06-15T12:00:00Z');
    expect(cardExpired('06/31', now)).toBe(false);
    expect(cardExpired('05/31', now)).toBe(true);
    expect(cardExpired('01/32', now)).toBe(false);
    expect(cardExpired('12/30', now)).toBe(true);
  });
});
