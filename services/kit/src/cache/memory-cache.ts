import { createLogger, type Logger } from '../logger';
import type { Cache } from './types';

interface Entry {
  value: string;
  expiresAt: number;
}

type Handler = (message: string) => void;

export interface MemoryCacheOptions {
  /** Where failing subscriber handlers are reported; defaults to a warn-level platform logger. */
  logger?: Logger;
  /** How often expired entries are swept; reads also drop them lazily. */
  sweepIntervalMs?: number;
}

const INTEGER = /^-?\d+$/;

function ttlMilliseconds(ttlSeconds: number): number {
  if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0) throw new RangeError(`ttlSeconds must be a positive number, got ${ttlSeconds}`);
  return Math.max(1, Math.round(ttlSeconds * 1000));
}

/** The cache port in one process: same TTL, counter and pub/sub semantics as Redis, nothing shared. */
export class MemoryCache implements Cache {
  private readonly entries = new Map<string, Entry>();
  private readonly channels = new Map<string, Set<Handler>>();
  private readonly logger: Logger;
  private readonly sweeper: NodeJS.Timeout;
  private closed = false;

  constructor(options: MemoryCacheOptions = {}) {
    this.logger = options.logger ?? createLogger({ service: 'memory-cache', level: 'warn' });
    this.sweeper = setInterval(() => this.sweep(), options.sweepIntervalMs ?? 60_000);
    this.sweeper.unref();
  }

  async get(key: string): Promise<string | null> {
    this.assertOpen();
    return this.live(key)?.value ?? null;
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    this.assertOpen();
    this.entries.set(key, { value, expiresAt: Date.now() + ttlMilliseconds(ttlSeconds) });
  }

  async del(...keys: string[]): Promise<void> {
    this.assertOpen();
    for (const key of keys) this.entries.delete(key);
  }

  async incr(key: string, ttlSeconds: number): Promise<number> {
    this.assertOpen();
    const ttlMs = ttlMilliseconds(ttlSeconds);
    const entry = this.live(key);
    if (!entry) {
      this.entries.set(key, { value: '1', expiresAt: Date.now() + ttlMs });
      return 1;
    }
    if (!INTEGER.test(entry.value)) throw new Error('ERR value is not an integer or out of range');
    const next = Number(entry.value) + 1;
    if (!Number.isSafeInteger(next)) throw new Error('ERR increment or decrement would overflow');
    // Like INCR + EXPIRE NX: the TTL set at creation is kept.
    entry.value = String(next);
    return next;
  }

  async publish(channel: string, message: string): Promise<void> {
    this.assertOpen();
    const handlers = this.channels.get(channel);
    if (!handlers?.size) return;
    const targets = [...handlers];
    // Delivered on a later turn, as a Redis message would be, so publishers never run subscriber code inline.
    setImmediate(() => {
      for (const handler of targets) {
        if (!this.channels.get(channel)?.has(handler)) continue;
        try {
          handler(message);
        } catch (err) {
          this.logger.error({ err, channel }, 'cache subscriber failed');
        }
      }
    });
  }

  async subscribe(channel: string, handler: Handler): Promise<() => Promise<void>> {
    this.assertOpen();
    // Each subscription gets its own identity so the same function subscribed twice unsubscribes once.
    const own: Handler = (message) => handler(message);
    let handlers = this.channels.get(channel);
    if (!handlers) {
      handlers = new Set();
      this.channels.set(channel, handlers);
    }
    handlers.add(own);
    return async () => {
      const current = this.channels.get(channel);
      if (!current) return;
      current.delete(own);
      if (current.size === 0) this.channels.delete(channel);
    };
  }

  isAvailable(): boolean {
    return !this.closed;
  }

  async ping(): Promise<void> {
    this.assertOpen();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweeper);
    this.entries.clear();
    this.channels.clear();
  }

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private sweep(): void {
    const now = Date.now();
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('cache is closed');
  }
}
