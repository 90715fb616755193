import type { ActivityInput } from '@shop/contracts';
import { ServiceCallError, type Logger } from '@shop/kit';

/** Where request handlers drop activity events; recording never waits and never throws. */
export interface ActivitySink {
  record(event: ActivityInput): void;
}

export interface ActivityQueueOptions {
  /** Delivers one batch; rejects when it should be retried or dropped. */
  send(events: ActivityInput[]): Promise<void>;
  logger: Logger;
  batchSize: number;
  flushIntervalMs: number;
  /** Events held at most; beyond it the oldest are dropped (analytics can lose a few, shoppers must not wait). */
  maxQueued: number;
  retryInitialMs?: number;
  retryMaxMs?: number;
}

/** A refusal that repeating cannot fix: the batch itself is wrong. */
const permanent = (err: unknown): boolean => err instanceof ServiceCallError && err.status >= 400 && err.status < 500 && err.status !== 408 && err.status !== 429;

/**
 * An in-process queue in front of the activity service: events are sent in the background in
 * batches, retried with backoff while the service is unreachable (each keeps its eventId, so a
 * batch that did arrive before a lost answer is recognised), bounded in memory, and flushed on stop.
 */
export class ActivityQueue implements ActivitySink {
  private readonly queue: ActivityInput[] = [];
  private timer: NodeJS.Timeout | null = null;
  private sending: Promise<void> | null = null;
  private failures = 0;
  private retryAt = 0;
  private dropped = 0;
  private inFlight = 0;

  constructor(private readonly options: ActivityQueueOptions) {}

  record(event: ActivityInput): void {
    this.queue.push(event);
    if (this.queue.length > this.options.maxQueued) {
      this.queue.splice(0, this.queue.length - this.options.maxQueued);
      // One warning per thousand, not one per event, while the activity service stays down.
      if (this.dropped++ % 1_000 === 0) this.options.logger.warn({ dropped: this.dropped }, 'activity queue full: oldest events dropped');
    }
    if (this.queue.length >= this.options.batchSize && this.timer) setImmediate(() => this.kick());
  }

  /** Events not delivered yet, the batch being sent included. */
  get size(): number {
    return this.queue.length + this.inFlight;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.kick(), this.options.flushIntervalMs);
    this.timer.unref();
  }

  /** Stops the loop and sends what is queued, giving up at the deadline (the rest is logged as lost). */
  async stop(deadlineMs = 5_000): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const giveUpAt = Date.now() + deadlineMs;
    this.retryAt = 0;
    while (this.queue.length > 0 && Date.now() < giveUpAt) {
      await (this.sending ?? this.sendBatch());
      if (this.failures > 0) await new Promise((r) => setTimeout(r, Math.min(200, Math.max(0, giveUpAt - Date.now()))));
    }
    if (this.queue.length > 0) this.options.logger.warn({ lost: this.queue.length }, 'activity events not delivered before shutdown');
  }

  private kick(): void {
    if (this.sending || this.queue.length === 0 || Date.now() < this.retryAt) return;
    void this.sendBatch();
  }

  private sendBatch(): Promise<void> {
    const batch = this.queue.splice(0, this.options.batchSize);
    this.inFlight = batch.length;
    this.sending = this.options
      .send(batch)
      .then(
        () => {
          this.inFlight = 0;
          this.failures = 0;
          this.retryAt = 0;
        },
        (err: unknown) => {
          this.inFlight = 0;
          if (permanent(err)) {
            this.options.logger.error({ err, events: batch.length }, 'activity batch refused; dropped');
            return;
          }
          this.queue.unshift(...batch);
          this.failures++;
          this.retryAt = Date.now() + this.backoffMs();
          this.options.logger.warn({ err, attempt: this.failures }, 'activity batch not delivered; will retry');
        },
      )
      .finally(() => {
        this.sending = null;
        if (this.timer && this.failures === 0 && this.queue.length >= this.options.batchSize) setImmediate(() => this.kick());
      });
    return this.sending;
  }

  /** Exponential with equal jitter, so replicas recovering together do not retry in step. */
  private backoffMs(): number {
    const ceiling = Math.min(this.options.retryMaxMs ?? 30_000, (this.options.retryInitialMs ?? 250) * 2 ** (this.failures - 1));
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }
}
