import type { z } from 'zod';
import type { Cache, Logger } from '@shop/kit';

/**
 * A value from the shared cache, else loaded and kept for `ttlSeconds`. The cache only saves
 * work: when it is unreachable or holds something unreadable, the value is simply loaded.
 */
export async function readThrough<S extends z.ZodType>(cache: Cache, key: string, ttlSeconds: number, schema: S, load: () => Promise<z.infer<S>>, logger: Logger): Promise<z.infer<S>> {
  if (ttlSeconds > 0) {
    try {
      const hit = await cache.get(key);
      if (hit !== null) {
        const parsed = schema.safeParse(JSON.parse(hit));
        if (parsed.success) return parsed.data;
      }
    } catch (err) {
      logger.debug({ err, key }, 'cache read failed; loading');
    }
  }
  const value = await load();
  if (ttlSeconds > 0) cache.set(key, JSON.stringify(value), ttlSeconds).catch((err: unknown) => logger.debug({ err, key }, 'cache write failed'));
  return value;
}
