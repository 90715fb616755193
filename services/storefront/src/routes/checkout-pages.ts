import { randomUUID } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { CHECKOUT_FIELDS, readCheckoutForm, type CheckoutErrors, type CheckoutValues } from '../domain/checkout-form';
import type { CheckoutFailure } from '../domain/checkout-outcome';
import { checkoutPage } from '../render/pages/checkout';
import { formBody } from './cart-pages';
import { chromeOf, type RouteContext } from './context';

const emptyValues = (): CheckoutValues => Object.fromEntries(CHECKOUT_FIELDS.map((f) => [f, ''])) as CheckoutValues;

/**
 * Checkout: the page mints a checkout id that every submit of it carries, so a double submit
 * places one order; failures are shown above the form, which keeps what the shopper typed.
 */
export function checkoutPages(ctx: RouteContext): Router {
  const router = Router();

  router.get('/checkout', async (req: Request, res: Response) => {
    ctx.pages.markPrivate(res);
    const shopper = ctx.cookies.attach(req, res);
    const cart = await ctx.carts.currentWithStock(shopper);
    // The cart page says what to fix first (sold out, too few left, not for sale any more).
    if (!cart || cart.lines.length === 0 || cart.lines.some((l) => l.problem !== null)) {
      res.redirect(303, '/cart');
      return;
    }
    ctx.checkout.started(cart, shopper);
    const view = { cart, checkoutId: randomUUID(), values: emptyValues(), errors: {}, failure: null, testCards: ctx.settings.TEST_PAYMENTS };
    ctx.pages.private(res, 200, checkoutPage(await chromeOf(ctx), view));
  });

  router.post('/checkout', formBody, async (req: Request, res: Response) => {
    ctx.pages.markPrivate(res);
    const shopper = ctx.cookies.attach(req, res);
    const form = readCheckoutForm(typeof req.body === 'object' && req.body !== null ? (req.body as Record<string, unknown>) : {});
    const again = async (status: number, checkoutId: string, errors: CheckoutErrors, failure: CheckoutFailure | null): Promise<void> => {
      const cart = await ctx.carts.current(shopper);
      if (!cart || cart.lines.length === 0) {
        res.redirect(303, '/cart');
        return;
      }
      const view = { cart, checkoutId, values: form.values, errors, failure, testCards: ctx.settings.TEST_PAYMENTS };
      ctx.pages.private(res, status, checkoutPage(await chromeOf(ctx), view));
    };
    if (!form.ok) {
      await again(422, form.checkoutId ?? randomUUID(), form.errors, null);
      return;
    }
    // The cart cookie is enough: on a double submit the first request may already have turned the cart into the order.
    const result = await ctx.checkout.place(req, res, shopper, { checkoutId: form.checkoutId, ...form.order });
    if (result.ok) {
      res.redirect(303, `/orders/${encodeURIComponent(result.order.number)}?placed=1`);
      return;
    }
    const { failure } = result;
    // A definite answer ends this attempt; the next submit is a new one with its own id.
    await again(failure.status, failure.keepCheckoutId ? form.checkoutId : randomUUID(), failure.fields, failure);
  });

  return router;
}
