import type { Cache, Logger } from '@shop/kit';
import type { Level } from './domain/stock';
import { levelView, type LevelView } from './store/queries';

export const LEVELS_CHANNEL = 'inventory:levels';

export interface LiveFilter {
  warehouseIds: Set<string> | null;
  skus: Set<string> | null;
}

export interface LiveListener {
  filter: LiveFilter;
  onLevels(levels: LevelView[]): void;
  onUnavailable(): void;
}

const matches = (f: LiveFilter, l: LevelView): boolean =>
  (!f.warehouseIds || f.warehouseIds.has(l.warehouseId)) && (!f.skus || f.skus.has(l.sku));

/**
 * Level changes fanned out across instances: each instance publishes what it committed to the
 * cache channel and forwards what it hears to its own stream clients.
 */
export class LiveFeed {
  private readonly listeners = new Set<LiveListener>();
  private unsubscribe: (() => Promise<void>) | null = null;
  private watchdog: NodeJS.Timeout | null = null;

  constructor(
    private readonly cache: Cache,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    try {
      this.unsubscribe = await this.cache.subscribe(LEVELS_CHANNEL, (message) => this.deliver(message));
    } catch (err) {
      this.logger.warn({ err }, 'live feed could not subscribe; streams stay unavailable until the cache returns');
    }
    // A stream that silently stops updating is worse than a closed one: tell clients when the cache drops.
    this.watchdog = setInterval(() => {
      if (this.cache.isAvailable()) {
        if (!this.unsubscribe) void this.start();
        return;
      }
      for (const l of this.listeners) l.onUnavailable();
    }, 1_000);
    this.watchdog.unref();
  }

  get available(): boolean {
    return this.cache.isAvailable() && this.unsubscribe !== null;
  }

  publish(levels: Level[]): void {
    const message = JSON.stringify(levels.map((l) => levelView(l)));
    this.cache.publish(LEVELS_CHANNEL, message).catch((err: unknown) => {
      this.logger.warn({ err }, 'live level update not fanned out');
    });
  }

  listen(listener: LiveListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private deliver(message: string): void {
    let levels: LevelView[];
    try {
      levels = JSON.parse(message) as LevelView[];
    } catch {
      return;
    }
    for (const listener of this.listeners) {
      const wanted = levels.filter((l) => matches(listener.filter, l));
      if (wanted.length) listener.onLevels(wanted);
    }
  }

  async stop(): Promise<void> {
    if (this.watchdog) clearInterval(this.watchdog);
    for (const l of this.listeners) l.onUnavailable();
    this.listeners.clear();
    if (this.unsubscribe) await this.unsubscribe().catch(() => undefined);
  }
}
