import type { Cache } from '../../src/cache/types';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until the check passes or the time is up; the last failure is rethrown. */
export async function eventually(check: () => void, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      check();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(20);
    }
  }
}

/** One behaviour for every Cache adapter: each adapter's test file runs this suite. */
export function cacheContract(name: string, open: () => Promise<Cache>): void {
  describe(`${name} satisfies the Cache contract`, () => {
    let cache: Cache;

    beforeAll(async () => {
      cache = await open();
    });
    afterAll(async () => {
      await cache.close();
    });

    it('is available and answers ping', async () => {
      expect(cache.isAvailable()).toBe(true);
      await expect(cache.ping()).resolves.toBeUndefined();
    });

    it('returns null for a missing key and the stored value after set', async () => {
      expect(await cache.get('missing')).toBeNull();
      await cache.set('greeting', 'hello', 60);
      expect(await cache.get('greeting')).toBe('hello');
      await cache.set('greeting', 'bonjour', 60);
      expect(await cache.get('greeting')).toBe('bonjour');
    });

    it('expires a value after its TTL', async () => {
      await cache.set('short', 'lived', 0.3);
      expect(await cache.get('short')).toBe('lived');
      await sleep(450);
      expect(await cache.get('short')).toBeNull();
    });

    it('deletes one or many keys and accepts an empty list', async () => {
      await cache.set('d1', '1', 60);
      await cache.set('d2', '2', 60);
      await cache.set('d3', '3', 60);
      await cache.del('d1', 'd2');
      await cache.del();
      expect(await cache.get('d1')).toBeNull();
      expect(await cache.get('d2')).toBeNull();
      expect(await cache.get('d3')).toBe('3');
    });

    it('rejects a TTL that is not positive', async () => {
      await expect(cache.set('bad-ttl', 'x', 0)).rejects.toThrow(RangeError);
      await expect(cache.incr('bad-ttl', -1)).rejects.toThrow(RangeError);
      expect(await cache.get('bad-ttl')).toBeNull();
    });

    it('increments a counter and sets its TTL only when it is created', async () => {
      // Windows wide enough that a busy machine's late timers cannot change the outcome.
      const started = Date.now();
      expect(await cache.incr('counter', 1.5)).toBe(1);
      await sleep(800);
      // A TTL reset here would keep the counter alive until 2.3 s after the start.
      expect(await cache.incr('counter', 1.5)).toBe(2);
      expect(await cache.get('counter')).toBe('2');
      await sleep(Math.max(0, started + 1_900 - Date.now()));
      expect(await cache.get('counter')).toBeNull();
      expect(await cache.incr('counter', 1.5)).toBe(1);
    });

    it('counts every one of many concurrent increments', async () => {
      const results = await Promise.all(Array.from({ length: 50 }, () => cache.incr('busy', 60)));
      expect([...results].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    });

    it('refuses to increment a value that is not an integer', async () => {
      await cache.set('word', 'abc', 60);
      await expect(cache.incr('word', 60)).rejects.toThrow(/not an integer/);
      expect(await cache.get('word')).toBe('abc');
    });

    it('delivers a published message to every subscriber, asynchronously and in order', async () => {
      const first: string[] = [];
      const second: string[] = [];
      const other: string[] = [];
      const stopFirst = await cache.subscribe('prices', (m) => first.push(m));
      const stopSecond = await cache.subscribe('prices', (m) => second.push(m));
      const stopOther = await cache.subscribe('stock', (m) => other.push(m));
      const publishing = cache.publish('prices', 'a');
      // Nothing runs inside the publisher's call stack, as with a real broker.
      expect(first).toEqual([]);
      await publishing;
      await cache.publish('prices', 'b');
      await eventually(() => {
        expect(first).toEqual(['a', 'b']);
        expect(second).toEqual(['a', 'b']);
      });
      expect(other).toEqual([]);
      await Promise.all([stopFirst(), stopSecond(), stopOther()]);
    });

    it('stops delivery to a subscriber that unsubscribed and keeps the others', async () => {
      const kept: string[] = [];
      const dropped: string[] = [];
      const stopKept = await cache.subscribe('news', (m) => kept.push(m));
      const stopDropped = await cache.subscribe('news', (m) => dropped.push(m));
      await cache.publish('news', 'one');
      await eventually(() => expect(dropped).toEqual(['one']));
      await stopDropped();
      await stopDropped();
      await cache.publish('news', 'two');
      await eventually(() => expect(kept).toEqual(['one', 'two']));
      expect(dropped).toEqual(['one']);
      await stopKept();
      await cache.publish('news', 'three');
      // A marker on another channel proves later messages were processed without delivering 'three'.
      const marker: string[] = [];
      const stopMarker = await cache.subscribe('marker', (m) => marker.push(m));
      await cache.publish('marker', 'done');
      await eventually(() => expect(marker).toEqual(['done']));
      expect(kept).toEqual(['one', 'two']);
      await stopMarker();
    });

    it('treats the same function subscribed twice as two subscriptions', async () => {
      const got: string[] = [];
      const handler = (m: string) => got.push(m);
      const stopA = await cache.subscribe('twice', handler);
      const stopB = await cache.subscribe('twice', handler);
      await cache.publish('twice', 'x');
      await eventually(() => expect(got).toEqual(['x', 'x']));
      await stopA();
      await cache.publish('twice', 'y');
      await eventually(() => expect(got).toEqual(['x', 'x', 'y']));
      await stopB();
    });

    it('keeps delivering to other subscribers when one handler throws', async () => {
      const got: string[] = [];
      const stopBad = await cache.subscribe('fragile', () => {
        throw new Error('handler bug');
      });
      const stopGood = await cache.subscribe('fragile', (m) => got.push(m));
      await cache.publish('fragile', '1');
      await cache.publish('fragile', '2');
      await eventually(() => expect(got).toEqual(['1', '2']));
      await Promise.all([stopBad(), stopGood()]);
    });
  });

  describe(`${name} after close`, () => {
    it('rejects calls and reports itself unavailable', async () => {
      const closed = await open();
      await closed.set('k', 'v', 60);
      await closed.close();
      expect(closed.isAvailable()).toBe(false);
      await expect(closed.get('k')).rejects.toThrow();
      await expect(closed.publish('c', 'm')).rejects.toThrow();
    });
  });
}
