/** One received message as the dispatcher sees it. */
export interface Delivery {
  orderingKey: string | undefined;
  handle(): Promise<void>;
  ack(): void;
  nack(): void;
}

interface Lane {
  queue: Delivery[];
  failed: boolean;
}

/**
 * Runs a subscription's handler one message at a time per ordering key (unkeyed messages
 * concurrently), acking on success and nacking on failure. Once a message of a key fails, the
 * messages of that key already queued behind it are nacked unhandled: the broker redelivers
 * the failed message and its successors, and handling them now would reorder the key.
 */
export class KeyedDispatcher {
  private readonly lanes = new Map<string, Lane>();
  private readonly running = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly onFailure: (err: unknown, delivery: Delivery) => void) {}

  dispatch(delivery: Delivery): void {
    if (this.closed) {
      delivery.nack();
      return;
    }
    const key = delivery.orderingKey;
    if (key === undefined) {
      this.track(this.execute(delivery).then(() => undefined));
      return;
    }
    const lane = this.lanes.get(key);
    if (lane) {
      lane.queue.push(delivery);
      return;
    }
    const fresh: Lane = { queue: [delivery], failed: false };
    this.lanes.set(key, fresh);
    this.track(this.drain(key, fresh));
  }

  /** Nacks what has not started and waits for the handlers already running. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  private track(work: Promise<void>): void {
    this.running.add(work);
    void work.finally(() => this.running.delete(work));
  }

  private async drain(key: string, lane: Lane): Promise<void> {
    for (let next = lane.queue.shift(); next; next = lane.queue.shift()) {
      if (this.closed || lane.failed) next.nack();
      else if (!(await this.execute(next))) lane.failed = true;
    }
    this.lanes.delete(key);
  }

  private async execute(delivery: Delivery): Promise<boolean> {
    try {
      await delivery.handle();
    } catch (err) {
      this.onFailure(err, delivery);
      delivery.nack();
      return false;
    }
    delivery.ack();
    return true;
  }
}
