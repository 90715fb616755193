import { z } from 'zod';
import { problems, type Logger } from '@shop/kit';
import { sellableTotal } from '../domain/stock';
import { SseParser } from './sse-parser';

/** What the storefront tells shoppers about a SKU: sellable units in total, never per warehouse. */
export interface StockTotal {
  sku: string;
  available: number;
}

export interface StockListener {
  onTotals(totals: StockTotal[]): void;
  /** The upstream stream ended; the browser reconnects on its own. */
  onEnd(): void;
}

/** Opens inventory's level stream for SKUs; rejects when inventory refuses or cannot be reached. */
export type OpenLevelStream = (skus: string[], signal: AbortSignal) => Promise<AsyncIterable<string>>;

const levelsSchema = z.array(z.object({ sku: z.string(), warehouseId: z.string(), available: z.number() }));

interface Channel {
  skus: string[];
  listeners: Set<StockListener>;
  /** SKU → warehouse → available, as the stream last reported it. */
  levels: Map<string, Map<string, number>>;
  snapshot: boolean;
  abort: AbortController;
  ready: Promise<void>;
}

/**
 * Live stock for product pages. Every shopper looking at the same product wants the same SKUs,
 * so one upstream stream per SKU set serves all of them on this instance; it opens with the first
 * listener and closes with the last.
 */
export class LiveStock {
  private readonly channels = new Map<string, Channel>();

  constructor(
    private readonly open: OpenLevelStream,
    private readonly logger: Logger,
    private readonly maxStreams: number,
  ) {}

  get upstreamCount(): number {
    return this.channels.size;
  }

  /** Resolves once the upstream stream is open, with the totals known so far (null before the first snapshot). */
  async listen(skus: string[], listener: StockListener): Promise<{ current: StockTotal[] | null; stop: () => void }> {
    const wanted = [...new Set(skus)].sort();
    const key = wanted.join(',');
    let channel = this.channels.get(key);
    if (!channel) {
      if (this.channels.size >= this.maxStreams) throw problems.unavailable('live-stock-busy', 'Live stock is at capacity right now; the page shows the stock as it loaded');
      channel = this.connect(key, wanted);
    }
    channel.listeners.add(listener);
    try {
      await channel.ready;
    } catch (err) {
      channel.listeners.delete(listener);
      throw err;
    }
    const joined = channel;
    return {
      current: joined.snapshot ? this.totals(joined, joined.skus) : null,
      stop: () => {
        joined.listeners.delete(listener);
        if (joined.listeners.size === 0) this.close(key, joined);
      },
    };
  }

  /** Ends every stream (shutdown). */
  closeAll(): void {
    for (const [key, channel] of this.channels) this.close(key, channel);
  }

  private connect(key: string, skus: string[]): Channel {
    const abort = new AbortController();
    const channel: Channel = { skus, listeners: new Set(), levels: new Map(), snapshot: false, abort, ready: Promise.resolve() };
    this.channels.set(key, channel);
    channel.ready = this.open(skus, abort.signal).then(
      (stream) => {
        void this.pump(key, channel, stream);
      },
      (err: unknown) => {
        this.channels.delete(key);
        throw err;
      },
    );
    // Listeners see the failure through listen(); this keeps it from counting as unhandled meanwhile.
    channel.ready.catch(() => undefined);
    return channel;
  }

  private async pump(key: string, channel: Channel, stream: AsyncIterable<string>): Promise<void> {
    const parser = new SseParser();
    try {
      for await (const chunk of stream) {
        for (const message of parser.feed(chunk)) {
          if (message.event === 'unavailable') return;
          if (message.event === 'snapshot' || message.event === 'levels') this.apply(channel, message.event, message.data);
        }
      }
    } catch (err) {
      if (!channel.abort.signal.aborted) this.logger.warn({ err, skus: channel.skus }, 'live stock stream from inventory broke');
    } finally {
      this.close(key, channel);
    }
  }

  private apply(channel: Channel, event: 'snapshot' | 'levels', data: string): void {
    let parsed: z.infer<typeof levelsSchema>;
    try {
      parsed = levelsSchema.parse(JSON.parse(data));
    } catch (err) {
      this.logger.warn({ err }, 'unreadable live stock message from inventory ignored');
      return;
    }
    const before = new Map(channel.skus.map((sku) => [sku, this.total(channel, sku)]));
    if (event === 'snapshot') channel.levels.clear();
    for (const level of parsed) {
      let warehouses = channel.levels.get(level.sku);
      if (!warehouses) channel.levels.set(level.sku, (warehouses = new Map()));
      warehouses.set(level.warehouseId, level.available);
    }
    const first = !channel.snapshot;
    if (event === 'snapshot') channel.snapshot = true;
    if (!channel.snapshot) return;
    const changed = first ? channel.skus : channel.skus.filter((sku) => before.get(sku) !== this.total(channel, sku));
    if (changed.length === 0) return;
    const totals = this.totals(channel, changed);
    for (const listener of channel.listeners) listener.onTotals(totals);
  }

  private total(channel: Channel, sku: string): number {
    return sellableTotal(channel.levels.get(sku)?.values() ?? []);
  }

  private totals(channel: Channel, skus: string[]): StockTotal[] {
    return skus.map((sku) => ({ sku, available: this.total(channel, sku) }));
  }

  private close(key: string, channel: Channel): void {
    if (this.channels.get(key) === channel) this.channels.delete(key);
    if (!channel.abort.signal.aborted) channel.abort.abort();
    const listeners = [...channel.listeners];
    channel.listeners.clear();
    for (const listener of listeners) listener.onEnd();
  }
}
