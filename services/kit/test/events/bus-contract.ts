import { randomUUID } from 'node:crypto';
import { toAttributes } from '@shop/contracts';
import type { BusMessage, EventBus } from '@shop/kit';
import { countBy, Inbox, sleep, uniqueName } from './support';

function message(n: number, orderingKey?: string): BusMessage {
  const event = {
    id: randomUUID(),
    type: 'inventory.stock_adjusted',
    source: '/inventory',
    subject: orderingKey ?? `item-${n}`,
    time: new Date().toISOString(),
    data: { n },
  };
  return { data: Buffer.from(JSON.stringify({ n, key: orderingKey })), attributes: toAttributes(event, { n: String(n) }), orderingKey };
}

const nOf = (m: { attributes: Record<string, string> }): number => Number(m.attributes.n);

/** The behaviour every EventBus adapter must share; `create` builds a bus that creates its topics and subscriptions. */
export function eventBusContract(name: string, create: () => Promise<EventBus>): void {
  describe(`EventBus contract: ${name}`, () => {
    let bus: EventBus;

    beforeAll(async () => {
      bus = await create();
    });

    afterAll(async () => {
      await bus.close();
    });

    async function subscribed(inbox: Inbox): Promise<string> {
      const topic = uniqueName('contract');
      await bus.subscribe(topic, `${topic}-sub`, inbox.handler);
      return topic;
    }

    it('delivers data, attributes and ordering key intact', async () => {
      const inbox = new Inbox();
      const topic = await subscribed(inbox);
      const sent: BusMessage = {
        data: Buffer.from(JSON.stringify({ sku: 'SKU-1', note: 'größe ✓', onHand: 7 })),
        attributes: { ...message(1).attributes, shard: '3' },
        orderingKey: 'SKU-1',
      };

      await bus.publish(topic, [sent]);
      await inbox.waitForHandled(1);

      const [got] = inbox.handled;
      expect(got?.data.equals(sent.data)).toBe(true);
      expect(got?.attributes).toEqual(sent.attributes);
      expect(got?.orderingKey).toBe('SKU-1');
      expect(got?.deliveryAttempt).toBe(1);
      expect(got?.messageId).toMatch(/.+/);
    });

    it('delivers to a filtered subscription only the messages its attribute filter selects', async () => {
      const inbox = new Inbox();
      const topic = uniqueName('filtered');
      await bus.subscribe(topic, `${topic}-shard-1`, inbox.handler, { filter: 'attributes.shard = "1"' });
      const sharded = (n: number, shard: string): BusMessage => ({ ...message(n), attributes: { ...message(n).attributes, shard } });

      await bus.publish(topic, [sharded(1, '0'), sharded(2, '1'), sharded(3, '2'), sharded(4, '1')]);
      await inbox.waitForHandled(2);
      await sleep(300);

      expect(inbox.handled.map(nOf).sort()).toEqual([2, 4]);
    });

    it('keeps order per ordering key for 200 messages on 2 keys', async () => {
      // A random pause per message would let a bus that runs a key's handlers concurrently reorder them.
      const inbox = new Inbox();
      const topic = uniqueName('contract');
      await bus.subscribe(topic, `${topic}-sub`, async (m) => {
        await sleep(Math.random() * 3);
        await inbox.handler(m);
      });
      const messages = Array.from({ length: 200 }, (_, n) => message(n, n % 2 === 0 ? 'key-a' : 'key-b'));

      for (let i = 0; i < messages.length; i += 25) await bus.publish(topic, messages.slice(i, i + 25));
      await inbox.waitForHandled(200, 30_000);

      for (const key of ['key-a', 'key-b']) {
        const got = inbox.handled.filter((m) => m.orderingKey === key).map(nOf);
        const want = messages.filter((m) => m.orderingKey === key).map(nOf);
        expect(got).toEqual(want);
      }
    });

    it('redelivers a message whose handler rejected, and keeps its key in order', async () => {
      const inbox = new Inbox((m) => nOf(m) === 0 && m.deliveryAttempt < 2);
      const topic = await subscribed(inbox);

      await bus.publish(topic, [message(0, 'key'), message(1, 'key')]);
      await inbox.waitForHandled(2);
      await sleep(500);

      const attemptsOfFirst = inbox.deliveries.filter((m) => nOf(m) === 0).map((m) => m.deliveryAttempt);
      expect(attemptsOfFirst).toEqual([1, 2]);
      expect(inbox.handled.map(nOf)).toEqual([0, 1]);
    });

    it('delivers each message once under normal operation', async () => {
      const inbox = new Inbox();
      const topic = await subscribed(inbox);
      const messages = Array.from({ length: 100 }, (_, n) => message(n, n % 3 === 0 ? undefined : `key-${n % 3}`));

      await bus.publish(topic, messages);
      await inbox.waitForHandled(100);
      await sleep(1000);

      expect(inbox.handled).toHaveLength(100);
      expect([...countBy(inbox.eventIds()).values()].every((c) => c === 1)).toBe(true);
    });

    it('drops messages published before the subscription existed', async () => {
      const topic = uniqueName('contract');
      await bus.publish(topic, [message(1)]);
      const inbox = new Inbox();
      await bus.subscribe(topic, `${topic}-sub`, inbox.handler);

      await bus.publish(topic, [message(2)]);
      await inbox.waitForHandled(1);
      await sleep(500);

      expect(inbox.handled.map(nOf)).toEqual([2]);
    });

    it('answers ping', async () => {
      await expect(bus.ping()).resolves.toBeUndefined();
    });

    it('stops delivering to a closed subscription and resumes for the next subscriber', async () => {
      const first = new Inbox();
      const topic = uniqueName('contract');
      const subscription = await bus.subscribe(topic, `${topic}-sub`, first.handler);
      await bus.publish(topic, [message(1)]);
      await first.waitForHandled(1);
      await subscription.close();

      await bus.publish(topic, [message(2)]);
      await sleep(300);
      const second = new Inbox();
      await bus.subscribe(topic, `${topic}-sub`, second.handler);
      await second.waitForHandled(1);

      expect(first.handled.map(nOf)).toEqual([1]);
      expect(second.handled.map(nOf)).toEqual([2]);
    });
  });
}
