import express, { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { MAX_LINE_QUANTITY, skuSchema } from '@shop/contracts';
import { HttpProblem } from '@shop/kit';
import { cartRefusalOf, CART_REFUSALS, isCartRefusal } from '../domain/cart-refusal';
import { cartPage, type CartNotice } from '../render/pages/cart';
import { chromeOf, type RouteContext } from './context';

const quantity = (min: number) => z.coerce.number().int().min(min).max(MAX_LINE_QUANTITY);
const addForm = z.object({ sku: skuSchema, quantity: quantity(1) });
const updateForm = z.object({ quantity: quantity(0) });
const skuParam = z.object({ sku: skuSchema });

const NOTICES: readonly CartNotice[] = ['added', 'updated', 'removed'];

/** Form posts the browser sends; small, flat, and never nested. */
export const formBody = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 40 });

/** A form that cannot have come from the shop's own pages (or was edited) gets a plain 400 page. */
function parseForm<S extends z.ZodType>(schema: S, value: unknown, message: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new HttpProblem(400, 'invalid-form', 'Please check your choice', message);
  return parsed.data;
}

/** The cart: private pages, and POST forms that redirect back (303) so a reload never repeats a change. */
export function cartPages(ctx: RouteContext): Router {
  const router = Router();

  router.get('/cart', async (req: Request, res: Response) => {
    ctx.pages.markPrivate(res);
    const shopper = ctx.cookies.attach(req, res);
    const cart = await ctx.carts.currentWithStock(shopper);
    const notice = NOTICES.find((n) => n === req.query.notice) ?? null;
    const error = isCartRefusal(req.query.error) ? CART_REFUSALS[req.query.error] : null;
    ctx.pages.private(res, 200, cartPage(await chromeOf(ctx), cart, notice, error));
  });

  /** Runs a cart change; a refusal by orders (not enough stock, not for sale) is shown on the cart page. */
  const change = async (res: Response, run: () => Promise<unknown>, notice: CartNotice): Promise<void> => {
    try {
      await run();
    } catch (err) {
      const refusal = cartRefusalOf(err);
      if (!refusal) throw err;
      res.redirect(303, `/cart?error=${refusal}`);
      return;
    }
    res.redirect(303, `/cart?notice=${notice}`);
  };

  router.post('/cart/items', formBody, async (req: Request, res: Response) => {
    ctx.pages.markPrivate(res);
    const form = parseForm(addForm, req.body, `Choose an option and a quantity from 1 to ${MAX_LINE_QUANTITY}.`);
    const shopper = ctx.cookies.attach(req, res);
    await change(res, () => ctx.carts.add(res, shopper, form.sku, form.quantity), 'added');
  });

  router.post('/cart/items/:sku', formBody, async (req: Request, res: Response) => {
    ctx.pages.markPrivate(res);
    const { sku } = parseForm(skuParam, req.params, 'That item is not in your cart.');
    const form = parseForm(updateForm, req.body, `Enter a quantity from 0 to ${MAX_LINE_QUANTITY}.`);
    const shopper = ctx.cookies.attach(req, res);
    await change(res, () => ctx.carts.set(shopper, sku, form.quantity), form.quantity === 0 ? 'removed' : 'updated');
  });

  router.post('/cart/items/:sku/remove', formBody, async (req: Request, res: Response) => {
    ctx.pages.markPrivate(res);
    const { sku } = parseForm(skuParam, req.params, 'That item is not in your cart.');
    const shopper = ctx.cookies.attach(req, res);
    await change(res, () => ctx.carts.set(shopper, sku, 0), 'removed');
  });

  return router;
}
