import { listen } from '@shop/kit';
import { ActivityQueue } from './activity/queue';
import { createStorefrontApp, type StorefrontDeps } from './app';
import type { LiveStock } from './live/live-stock';

export interface StorefrontServiceDeps extends Omit<StorefrontDeps, 'activity'> {
  /** The background activity queue's tuning; defaults suit production. */
  activityQueue?: { batchSize?: number; flushIntervalMs?: number; maxQueued?: number };
}

export interface RunningStorefront {
  url: string;
  port: number;
  /** Server-side activity waiting to be sent (tests wait for it to drain). */
  activity: ActivityQueue;
  /** The upstream live stock streams this instance holds open. */
  live: LiveStock;
  /** Marks the instance not ready (readiness turns 503) ahead of stop(). */
  beginDrain(): void;
  stop(): Promise<void>;
}

/** Runs the storefront: the HTTP app and the background queue that sends server-side activity. */
export async function startStorefront(deps: StorefrontServiceDeps, options: { port: number; host: string }): Promise<RunningStorefront> {
  let draining = false;
  const activity = new ActivityQueue({
    send: (events) => deps.callees.activity.send(events),
    logger: deps.logger,
    batchSize: deps.activityQueue?.batchSize ?? 50,
    flushIntervalMs: deps.activityQueue?.flushIntervalMs ?? 1_000,
    maxQueued: deps.activityQueue?.maxQueued ?? 10_000,
  });
  activity.start();
  const storefront = createStorefrontApp({ ...deps, activity, isDraining: () => draining });
  const server = await listen(storefront.app, options.port, options.host);
  deps.logger.info({ url: server.url }, 'storefront listening');
  return {
    url: server.url,
    port: server.port,
    activity,
    live: storefront.live,
    beginDrain: () => {
      draining = true;
    },
    stop: async () => {
      draining = true;
      // Live streams end first (browsers reconnect elsewhere), then requests finish, then queued activity is sent.
      storefront.live.closeAll();
      await server.close();
      await activity.stop();
      deps.callees.close();
    },
  };
}
