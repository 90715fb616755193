import type { Request, Response } from 'express';
import { problems, ServiceCallError, ServiceUnavailableError } from '@shop/kit';
import type { LiveStock, StockTotal } from '../live/live-stock';

const HEARTBEAT_MS = 15_000;
/** How long the browser waits before reconnecting a dropped stream. */
const RETRY_MS = 5_000;

/**
 * Answers `GET /live/stock?skus=` with Server-Sent Events of `{ sku, available }` totals, proxied
 * from inventory's level stream with the storefront's service token. Warehouse details never leave.
 */
export async function streamStock(live: LiveStock, skus: string[], req: Request, res: Response): Promise<void> {
  res.setHeader('Cache-Control', 'no-store');
  let started = false;
  const pending: StockTotal[][] = [];
  const send = (totals: StockTotal[]) => res.write(`event: stock\ndata: ${JSON.stringify(totals)}\n\n`);
  let subscription: Awaited<ReturnType<typeof live.listen>>;
  try {
    subscription = await live.listen(skus, {
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
  if (req.socket.destroyed) {
    // The shopper left while the upstream stream was opening.
    subscription.stop();
    return;
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
}
