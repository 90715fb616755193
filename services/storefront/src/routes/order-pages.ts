import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { orderLookupQuerySchema } from '@shop/contracts';
import { lookupPage, orderPage, type LookupView } from '../render/pages/order';
import { formBody } from './cart-pages';
import { chromeOf, type RouteContext } from './context';

const orderNumber = z.string().regex(/^[A-Za-z0-9-]{1,40}$/);
const text = (value: unknown): string => (typeof value === 'string' ? value.slice(0, 300) : '');

/** The confirmation (for the shopper who placed the order) and the lookup by number and email (for anyone who has both). */
export function orderPages(ctx: RouteContext): Router {
  const router = Router();

  const showLookup = async (res: Response, status: number, view: LookupView): Promise<void> => {
    ctx.pages.private(res, status, lookupPage(await chromeOf(ctx), view));
  };

  router.get('/orders/lookup', async (_req: Request, res: Response) => {
    ctx.pages.markPrivate(res);
    await showLookup(res, 200, { number: '', email: '', errors: {}, notFound: false });
  });

  // A POST, so the email never appears in a URL (logs, history, referrers).
  router.post('/orders/lookup', formBody, async (req: Request, res: Response) => {
    ctx.pages.markPrivate(res);
    const body = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<string, unknown>;
    const number = text(body.number).trim();
    const email = text(body.email).trim();
    const parsed = orderLookupQuerySchema.safeParse({ number, email });
    if (!parsed.success) {
      const fields = new Set(parsed.error.issues.map((i) => String(i.path[0])));
      const errors = {
        ...(fields.has('number') ? { number: 'Enter the order number from your confirmation' } : {}),
        ...(fields.has('email') ? { email: 'Enter the email address you ordered with, such as name@example.com' } : {}),
      };
      await showLookup(res, 422, { number, email, errors, notFound: false });
      return;
    }
    const order = await ctx.orders.lookup(parsed.data.number, parsed.data.email);
    if (!order) {
      await showLookup(res, 404, { number, email, errors: {}, notFound: true });
      return;
    }
    ctx.pages.private(res, 200, orderPage(await chromeOf(ctx), order, false));
  });

  router.get('/orders/:number', async (req: Request, res: Response) => {
    ctx.pages.markPrivate(res);
    const shopper = ctx.cookies.attach(req, res);
    const number = orderNumber.safeParse(req.params.number);
    const order = number.success ? await ctx.checkout.recent(req, shopper, number.data) : null;
    if (!order) {
      // Not this shopper's (another browser, cleared cookies): they can still find it with their email.
      await showLookup(res, 404, { number: number.success ? number.data : '', email: '', errors: {}, notFound: false });
      return;
    }
    ctx.pages.private(res, 200, orderPage(await chromeOf(ctx), order, req.query.placed === '1'));
  });

  return router;
}
