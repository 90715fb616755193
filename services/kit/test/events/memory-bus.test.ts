import { MemoryBus, type BusMessage } from '@shop/kit';
import { eventBusContract } from './bus-contract';
import { Inbox, silentLogger, sleep, uniqueName } from './support';

eventBusContract('MemoryBus', () => Promise.resolve(new MemoryBus({ redeliveryDelayMs: 10, logger: silentLogger })));

const msg = (n: number, orderingKey?: string): BusMessage => ({
  data: Buffer.from(String(n)),
  attributes: { n: String(n) },
  orderingKey,
});
const nOf = (m: BusMessage): number => Number(m.attributes.n);

describe('MemoryBus', () => {
  let bus: MemoryBus;

  beforeEach(() => {
    bus = new MemoryBus({ maxDeliveryAttempts: 3, redeliveryDelayMs: 5, logger: silentLogger });
  });

  afterEach(async () => {
    await bus.close();
  });

  it('dead-letters a message to <topic>-dlq after maxDeliveryAttempts and moves on', async () => {
    const topic = uniqueName('mem');
    const main = new Inbox((m) => nOf(m) === 0);
    const dead = new Inbox();
    await bus.subscribe(topic, 'orders-consumer', main.handler);
    await bus.subscribe(`${topic}-dlq`, 'orders-consumer-dlq', dead.handler);

    await bus.publish(topic, [msg(0, 'k'), msg(1, 'k')]);
    await dead.waitForHandled(1);
    await main.waitForHandled(1);

    expect(main.deliveries.filter((m) => nOf(m) === 0).map((m) => m.deliveryAttempt)).toEqual([1, 2, 3]);
    expect(main.handled.map(nOf)).toEqual([1]);
    expect(dead.handled[0]?.attributes).toEqual({
      n: '0',
      CloudPubSubDeadLetterSourceSubscription: 'orders-consumer',
      CloudPubSubDeadLetterSourceDeliveryCount: '3',
    });
  });

  it('holds later messages of a key until the failing one succeeds, while other keys flow', async () => {
    const topic = uniqueName('mem');
    const inbox = new Inbox((m) => nOf(m) === 0 && m.deliveryAttempt < 3);
    await bus.subscribe(topic, 'sub', inbox.handler);

    await bus.publish(topic, [msg(0, 'a'), msg(1, 'a'), msg(2, 'b'), msg(3, 'a')]);
    await inbox.waitForHandled(4);

    expect(inbox.handled.filter((m) => m.orderingKey === 'a').map(nOf)).toEqual([0, 1, 3]);
    expect(inbox.deliveries.filter((m) => nOf(m) === 1)).toHaveLength(1);
    expect(inbox.handled.findIndex((m) => nOf(m) === 2)).toBeLessThan(inbox.handled.findIndex((m) => nOf(m) === 0));
  });

  it('keeps messages of a subscription that has no subscriber attached until one subscribes', async () => {
    const topic = uniqueName('mem');
    const first = await bus.subscribe(topic, 'sub', () => Promise.resolve());
    await first.close();
    await bus.publish(topic, [msg(1), msg(2)]);
    await sleep(20);

    const inbox = new Inbox();
    await bus.subscribe(topic, 'sub', inbox.handler);
    await inbox.waitForHandled(2);
    expect(inbox.handled.map(nOf).sort()).toEqual([1, 2]);
  });

  it('gives every subscription its own copy and shares one among subscribers of a subscription', async () => {
    const topic = uniqueName('mem');
    const a1 = new Inbox();
    const a2 = new Inbox();
    const b = new Inbox();
    await bus.subscribe(topic, 'a', a1.handler);
    await bus.subscribe(topic, 'a', a2.handler);
    await bus.subscribe(topic, 'b', b.handler);

    await bus.publish(topic, Array.from({ length: 10 }, (_, n) => msg(n)));
    await b.waitForHandled(10);
    await sleep(20);

    expect(a1.handled.length + a2.handled.length).toBe(10);
    expect(a1.handled.length).toBeGreaterThan(0);
    expect(a2.handled.length).toBeGreaterThan(0);
  });

  it('refuses a subscription name already bound to another topic', async () => {
    await bus.subscribe(uniqueName('mem'), 'taken', () => Promise.resolve());
    await expect(bus.subscribe(uniqueName('mem'), 'taken', () => Promise.resolve())).rejects.toThrow(/taken/);
  });

  it('limits handler calls in flight per subscription', async () => {
    const limited = new MemoryBus({ maxInFlight: 3, logger: silentLogger });
    const topic = uniqueName('mem');
    let running = 0;
    let peak = 0;
    let done = 0;
    await limited.subscribe(topic, 'sub', async () => {
      running += 1;
      peak = Math.max(peak, running);
      await sleep(5);
      running -= 1;
      done += 1;
    });

    await limited.publish(topic, Array.from({ length: 20 }, (_, n) => msg(n)));
    while (done < 20) await sleep(5);
    await limited.close();

    expect(peak).toBe(3);
  });

  it('rejects publish and ping once closed', async () => {
    await bus.close();
    await expect(bus.publish('any-topic', [msg(1)])).rejects.toThrow(/closed/);
    await expect(bus.ping()).rejects.toThrow(/closed/);
  });
});
