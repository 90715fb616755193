import { createClient, ClientOfflineError } from 'redis';
import type { Logger } from '../logger';
import type { Cache } from './types';

export interface RedisCacheOptions {
  /** redis:// or rediss:// URL (Memorystore). */
  url: string;
  /**
   * PEM certificate of the CA that signs the server's TLS certificate (Memorystore's in-transit
   * encryption uses its own CA); with rediss:// and none given, the system's CAs are trusted.
   */
  caCert?: string;
  logger: Logger;
  /** Prepended to every key and channel, so deployments or tests can share one Redis. */
  keyPrefix?: string;
  connectTimeoutMs?: number;
  /** Upper bound for a command that was sent but never answered (half-open connection). */
  commandTimeoutMs?: number;
  /** Cap of the exponential reconnect backoff. */
  maxReconnectDelayMs?: number;
}

type Handler = (message: string) => void;

function buildClient(options: RedisCacheOptions) {
  const maxDelay = options.maxReconnectDelayMs ?? 2_000;
  return createClient({
    url: options.url,
    // Commands fail at once while disconnected instead of queueing until Redis returns.
    disableOfflineQueue: true,
    commandOptions: { timeout: options.commandTimeoutMs ?? 2_000 },
    socket: {
      ...(options.url.startsWith('rediss://') ? { tls: true as const, ...(options.caCert ? { ca: options.caCert } : {}) } : {}),
      connectTimeout: options.connectTimeoutMs ?? 2_000,
      // Jitter keeps a fleet of pods from reconnecting in lockstep after a Memorystore failover.
      reconnectStrategy: (retries: number) => Math.min(50 * 2 ** Math.min(retries, 16), maxDelay) + Math.floor(Math.random() * 100),
    },
  });
}

type RedisClient = ReturnType<typeof buildClient>;

interface ChannelState {
  handlers: Set<Handler>;
  /** Settles once Redis confirmed the SUBSCRIBE; concurrent subscribers to a new channel share it. */
  subscribed: Promise<void>;
}

/** INCR, then a TTL only if the key has none, so a rate-limit window starts at its first hit. */
const INCR_WITH_TTL = `
local count = redis.call('INCR', KEYS[1])
if count == 1 or redis.call('PTTL', KEYS[1]) == -1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return count`;

function ttlMilliseconds(ttlSeconds: number): number {
  if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0) throw new RangeError(`ttlSeconds must be a positive number, got ${ttlSeconds}`);
  return Math.max(1, Math.round(ttlSeconds * 1000));
}

/**
 * The cache port over Redis. One client runs commands; a duplicate holds the subscriptions,
 * because a RESP2 connection in subscribe mode can run nothing else. node-redis reconnects
 * both with capped backoff and re-issues SUBSCRIBE for every channel after a reconnect.
 */
export class RedisCache implements Cache {
  private readonly client: RedisClient;
  private readonly subscriber: RedisClient;
  private readonly logger: Logger;
  private readonly prefix: string;
  private readonly connectTimeoutMs: number;
  private readonly channels = new Map<string, ChannelState>();

  constructor(options: RedisCacheOptions) {
    this.logger = options.logger;
    this.prefix = options.keyPrefix ?? '';
    this.connectTimeoutMs = options.connectTimeoutMs ?? 2_000;
    this.client = buildClient(options);
    this.subscriber = this.client.duplicate();
    this.watch(this.client, 'commands');
    this.watch(this.subscriber, 'subscriber');
  }

  /**
   * Starts both connections and waits for their first attempt only: an unreachable Redis
   * leaves the cache unavailable and reconnecting in the background, not the service down.
   */
  async start(): Promise<void> {
    await Promise.all([this.firstAttempt(this.client, 'commands'), this.firstAttempt(this.subscriber, 'subscriber')]);
  }

  async get(key: string): Promise<string | null> {
    return this.client.get(this.prefix + key);
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    await this.client.set(this.prefix + key, value, { expiration: { type: 'PX', value: ttlMilliseconds(ttlSeconds) } });
  }

  async del(...keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.client.del(keys.map((key) => this.prefix + key));
  }

  async incr(key: string, ttlSeconds: number): Promise<number> {
    // A script rather than MULTI: node-redis queues MULTI while offline and applies no command timeout to it.
    const count = await this.client.eval(INCR_WITH_TTL, { keys: [this.prefix + key], arguments: [String(ttlMilliseconds(ttlSeconds))] });
    if (typeof count !== 'number') throw new Error(`INCR ${key} returned ${String(count)}`);
    return count;
  }

  async publish(channel: string, message: string): Promise<void> {
    await this.client.publish(this.prefix + channel, message);
  }

  async subscribe(channel: string, handler: Handler): Promise<() => Promise<void>> {
    const name = this.prefix + channel;
    // Each subscription gets its own identity so the same function subscribed twice unsubscribes once.
    const own: Handler = (message) => handler(message);
    for (;;) {
      const state = this.channels.get(name) ?? this.openChannel(name);
      await state.subscribed;
      // The last other subscriber may have left while we waited; then subscribe afresh.
      if (this.channels.get(name) !== state) continue;
      state.handlers.add(own);
      return () => this.unsubscribe(name, own);
    }
  }

  isAvailable(): boolean {
    return this.client.isReady && this.subscriber.isReady;
  }

  async ping(): Promise<void> {
    await this.client.ping();
  }

  async close(): Promise<void> {
    this.channels.clear();
    await Promise.all([closeClient(this.client), closeClient(this.subscriber)]);
  }

  private openChannel(name: string): ChannelState {
    // Pub/sub commands bypass the offline check in node-redis, so refuse here rather than hang.
    if (!this.subscriber.isReady) throw new ClientOfflineError();
    const handlers = new Set<Handler>();
    const state: ChannelState = {
      handlers,
      subscribed: this.subscriber.subscribe(name, (message) => this.dispatch(name, handlers, message)),
    };
    this.channels.set(name, state);
    state.subscribed.catch(() => {
      if (this.channels.get(name) === state) this.channels.delete(name);
    });
    return state;
  }

  private async unsubscribe(name: string, handler: Handler): Promise<void> {
    const state = this.channels.get(name);
    if (!state?.handlers.delete(handler)) return;
    if (state.handlers.size > 0) return;
    this.channels.delete(name);
    const done = this.subscriber.unsubscribe(name);
    // Offline: the UNSUBSCRIBE waits for the reconnect; until then stray messages find no handler.
    if (!this.subscriber.isReady) {
      done.catch((err: unknown) => this.logger.debug({ err, channel: name }, 'redis unsubscribe deferred'));
      return;
    }
    await done;
  }

  private dispatch(channel: string, handlers: Set<Handler>, message: string): void {
    for (const handler of [...handlers]) {
      if (!handlers.has(handler)) continue;
      try {
        handler(message);
      } catch (err) {
        // A throwing handler must not reach node-redis's parser, which would reset the connection.
        this.logger.error({ err, channel }, 'cache subscriber failed');
      }
    }
  }

  private watch(client: RedisClient, role: string): void {
    let down = false;
    // Without an 'error' listener node-redis errors would be thrown and crash the process.
    client.on('error', (err: unknown) => {
      if (down) {
        this.logger.debug({ err, role }, 'redis still unreachable');
        return;
      }
      down = true;
      this.logger.warn({ err, role }, 'redis unavailable; reconnecting');
    });
    client.on('ready', () => {
      if (down) this.logger.info({ role }, 'redis reconnected');
      down = false;
    });
  }

  private firstAttempt(client: RedisClient, role: string): Promise<void> {
    return new Promise((resolve) => {
      const settle = () => {
        clearTimeout(timer);
        client.off('ready', settle);
        client.off('error', settle);
        resolve();
      };
      const timer = setTimeout(settle, this.connectTimeoutMs + 500);
      client.once('ready', settle);
      client.once('error', settle);
      // Keeps retrying until ready; it only rejects when close() interrupts it.
      client.connect().catch((err: unknown) => {
        this.logger.debug({ err, role }, 'redis connect stopped');
        settle();
      });
    });
  }
}

async function closeClient(client: RedisClient): Promise<void> {
  if (!client.isOpen) return;
  if (client.isReady) await client.close();
  else client.destroy();
}

/** Creates a RedisCache and connects it; resolves even when Redis is down (isAvailable() is then false). */
export async function createRedisCache(options: RedisCacheOptions): Promise<RedisCache> {
  const cache = new RedisCache(options);
  await cache.start();
  return cache;
}
