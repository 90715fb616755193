import { PubSub } from '@google-cloud/pubsub';
import { BusPublishError, ensureTopics, PubSubBus } from '@shop/kit';
import { freePort } from '../../test-support/pubsub-emulator';
import { eventBusContract } from './bus-contract';
import { createTopicAndSubscription, Inbox, PROJECT_ID, silentLogger, uniqueName } from './support';

const emulatorBus = (autoCreate: boolean): PubSubBus =>
  new PubSubBus({ projectId: PROJECT_ID, autoCreate, logger: silentLogger, publishTimeoutMs: 5000 });

eventBusContract('PubSubBus on the emulator', () => Promise.resolve(emulatorBus(true)));

describe('PubSubBus', () => {
  let bus: PubSubBus;
  let admin: PubSub;

  beforeAll(() => {
    bus = emulatorBus(false);
    admin = new PubSub({ projectId: PROJECT_ID });
  });

  afterAll(async () => {
    await bus.close();
    await admin.close();
  });

  it('creates topics and dead-letter topics once, tolerating ones that exist', async () => {
    const topic = uniqueName('ensure');
    await ensureTopics(bus, [topic]);
    await ensureTopics(admin, [topic, topic]);

    const [[exists], [dlqExists]] = await Promise.all([admin.topic(topic).exists(), admin.topic(`${topic}-dlq`).exists()]);
    expect(exists).toBe(true);
    expect(dlqExists).toBe(true);
  });

  it('auto-creates an ordered subscription with a dead-letter policy', async () => {
    const autoBus = emulatorBus(true);
    const topic = uniqueName('auto');
    const subscription = await autoBus.subscribe(topic, `${topic}-sub`, () => Promise.resolve());
    await subscription.close();
    await autoBus.close();

    const [metadata] = await admin.subscription(`${topic}-sub`).getMetadata();
    expect(metadata.enableMessageOrdering).toBe(true);
    expect(metadata.deadLetterPolicy?.deadLetterTopic).toBe(`projects/${PROJECT_ID}/topics/${topic}-dlq`);
    expect(metadata.deadLetterPolicy?.maxDeliveryAttempts).toBe(5);
  });

  it('refuses to subscribe to a missing subscription unless told to create it', async () => {
    const topic = uniqueName('missing');
    await expect(bus.subscribe(topic, `${topic}-sub`, () => Promise.resolve())).rejects.toThrow(`${topic}-sub`);
  });

  it('refuses a subscription that reads another topic', async () => {
    const topic = uniqueName('bound');
    await createTopicAndSubscription(admin, topic, `${topic}-sub`);
    await expect(bus.subscribe(uniqueName('other'), `${topic}-sub`, () => Promise.resolve())).rejects.toThrow(topic);
  });

  it('names the messages a failed publish lost, and resumes the ordering key afterwards', async () => {
    const topic = uniqueName('late');
    const messages = [0, 1, 2].map((n) => ({ data: Buffer.from(String(n)), attributes: { n: String(n) }, orderingKey: n === 2 ? undefined : 'k' }));

    const failure = await bus.publish(topic, messages).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(BusPublishError);
    expect((failure as BusPublishError).failed).toEqual([0, 1, 2]);

    await createTopicAndSubscription(admin, topic, `${topic}-sub`);
    const inbox = new Inbox();
    await bus.subscribe(topic, `${topic}-sub`, inbox.handler);
    await bus.publish(topic, messages);
    await inbox.waitForHandled(3);
    expect(inbox.handled.filter((m) => m.orderingKey === 'k').map((m) => m.attributes.n)).toEqual(['0', '1']);
  });

  it('fails ping within its timeout when the broker is unreachable', async () => {
    const nowhere = new PubSubBus({
      projectId: PROJECT_ID,
      logger: silentLogger,
      pingTimeoutMs: 500,
      clientConfig: { apiEndpoint: `127.0.0.1:${await freePort()}` },
    });
    const started = Date.now();
    await expect(nowhere.ping()).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(3000);
    await nowhere.close();
  });
});
