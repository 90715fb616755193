import { Router, type Request, type Response } from 'express';
import { parseWith, problems, ServiceCallError, ServiceUnavailableError } from '@shop/kit';
import type { StockTotal } from '../live/live-stock';
import { skuListQuery } from './api-schemas';
import type { RouteContext } from './context';

const HEARTBEAT_MS = 15_000;
/** How long the browser waits before reconnecting a dropped stream. */
const RETRY_MS = 5_000;

/**
 * `GET /live/stock?skus=`: Server-Sent Events of `{ sku, available }` totals, proxied from
 * inventory's level stream with the storefront's service token. Warehouse details never leave.
 */
export function liveRoutes(ctx: RouteContext): Router {
  const router = Router();
  router.get('/live/stock', ctx.limits.live, async (req: Request, res: Response) => {
    res.setHeader('Cache-Control', 'no-store');
    const { skus } = parseWith(skuListQuery, req.query, 'query');
    let started = false;
    const pending: StockTotal[][] = [];
    const send = (totals: StockTotal[]) => res.write(`event: stock\ndata: ${JSON.stringify(totals)}\n\n`);
    let subscription: Awaited<ReturnType<typeof ctx.live.listen>>;
    try {
      subscription = await ctx.live.listen(skus, {
        onTotals: (totals) => (started ? send(totals) : pending.push(totals)),
        onEnd: () => res.end(),
      });
    } catch (err) {
      if (err instanceof ServiceUnavailableError || (err instanceof ServiceCallError && err.status >= 500)) {
        res.setHeader('Retry-After', '15');
        throw problems.unavailable('live-stock-unavailable', 'Live stock is unavailable right now; the page shows the stock as it loaded');
      }
      throw err;
    }
    res.status(200).set({ 'Content-Type': 'text/event-stream; charset=utf-8', 'X-Accel-Buffering': 'no', Connection: 'keep-alive' });
    res.flushHeaders();
    res.write(`retry: ${RETRY_MS}\n\n`);
    started = true;
    if (subscription.current) send(subscription.current);
    for (const totals of pending) send(totals);
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    res.on('close', () => {
      clearInterval(heartbeat);
      subscription.stop();
    });
  });
  return router;
}
