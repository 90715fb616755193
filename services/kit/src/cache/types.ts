/**
 * Cache, rate-limit and live fan-out port: Memorystore through `redis` in production,
 * an in-process store with the same semantics on one machine.
 * Every call rejects quickly (no offline queue) when the store is unreachable, so callers
 * can fall back instead of hanging.
 */
export interface Cache {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  del(...keys: string[]): Promise<void>;
  /** Atomically increments a counter, setting its TTL when it is created; returns the new value. */
  incr(key: string, ttlSeconds: number): Promise<number>;
  /** Fan-out to every instance subscribed to the channel (Redis pub/sub). */
  publish(channel: string, message: string): Promise<void>;
  subscribe(channel: string, handler: (message: string) => void): Promise<() => Promise<void>>;
  /** True while the store is reachable; subscriptions are re-established after reconnects. */
  isAvailable(): boolean;
  ping(): Promise<void>;
  close(): Promise<void>;
}
