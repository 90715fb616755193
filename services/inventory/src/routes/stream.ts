import type { Request, Response } from 'express';
import { problems, type Knex } from '@shop/kit';
import type { LiveFeed } from '../live';
import { listLevels, type LevelView } from '../store/queries';

const HEARTBEAT_MS = 15_000;

/** Server-Sent Events: a snapshot of the matching levels, then every change as it commits. */
export async function streamLevels(
  req: Request,
  res: Response,
  db: Knex,
  feed: LiveFeed,
  filter: { warehouseIds: string[] | null; skus: string[] | null },
): Promise<void> {
  if (!feed.available) throw problems.unavailable('live-stream-unavailable', 'Live stock updates are unavailable right now (cache unreachable); poll /v1/availability instead');
  const snapshot: LevelView[] = [];
  let cursor: string | undefined;
  do {
    const page = await listLevels(db, { warehouseIds: filter.warehouseIds, skus: filter.skus ?? undefined, cursor, limit: 500 });
    snapshot.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && snapshot.length < 5_000);
  res.status(200).set({ 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  res.flushHeaders();
  let id = 0;
  const send = (event: string, data: unknown) => res.write(`id: ${++id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  send('snapshot', snapshot);
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    stop();
  };
  const stop = feed.listen({
    filter: { warehouseIds: filter.warehouseIds ? new Set(filter.warehouseIds) : null, skus: filter.skus ? new Set(filter.skus) : null },
    onLevels: (levels) => send('levels', levels),
    onUnavailable: () => {
      if (closed) return;
      send('unavailable', { detail: 'live updates stopped: cache unreachable; reconnect later' });
      close();
      res.end();
    },
  });
  req.on('close', close);
}
