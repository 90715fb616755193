import express, { type Request, type RequestHandler, type Response } from 'express';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import {
  activityBatchSchema,
  activityInputSchema,
  MAX_ACTIVITY_BATCH,
  SESSION_IDLE_SECONDS,
  SHOPPER_COOKIES,
  type ActivityInput,
} from '@shop/contracts';
import {
  Api,
  authenticate,
  parseCookies,
  parseWith,
  principalOf,
  problems,
  rateLimit,
  serializeCookie,
  type Cache,
  type CookieSigner,
  type FieldError,
  type TokenVerifier,
} from '@shop/kit';
import { prepare, type Who } from '../domain/events';
import type { ActivityPublisher } from '../publisher';

export interface RouteDeps {
  publisher: ActivityPublisher;
  cache: Cache;
  verifyToken: TokenVerifier;
  cookies: CookieSigner;
  secureCookies: boolean;
  beaconRateLimit: number;
  now?: () => Date;
}

const SHOPPER_COOKIE_SECONDS = 365 * 24 * 60 * 60;
const BEACON_BODY_LIMIT = '64kb';

/** One event or a batch, as navigator.sendBeacon sends it (text/plain carrying JSON). */
const beaconBodySchema = z.union([activityBatchSchema, activityInputSchema]);
const acceptedSchema = z.object({ accepted: z.number().int(), eventIds: z.array(z.string()) });

/** The pixel for pages without JavaScript carries a view or a search in its query string. */
const pixelQuerySchema = z.union([
  z.object({ type: z.literal('product_viewed'), productId: z.string(), sku: z.string().optional(), eventId: z.string().optional() }),
  z.object({ type: z.literal('search_performed'), query: z.string(), resultCount: z.coerce.number().int(), eventId: z.string().optional() }),
]);

// The smallest transparent GIF.
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

const newId = (): string => randomBytes(16).toString('base64url');

/** sendBeacon posts text/plain; its body is JSON all the same. */
const jsonFromText: RequestHandler = (req, _res, next) => {
  if (typeof req.body !== 'string') {
    next();
    return;
  }
  try {
    req.body = JSON.parse(req.body) as unknown;
    next();
  } catch {
    next(problems.validation([{ field: 'body', message: 'is not valid JSON' }]));
  }
};

export function buildApi(deps: RouteDeps): Api {
  const api = new Api();
  const now = deps.now ?? (() => new Date());
  const auth = authenticate(deps.verifyToken);
  const limited = rateLimit({ cache: deps.cache, name: 'beacon', limit: deps.beaconRateLimit, windowSeconds: 60 });

  /**
   * The shopper and session from the signed cookies, minting whichever is missing or does not
   * verify; the beacon is the first uncached request a new visitor makes, so it sets them.
   */
  const shopperOf = (req: Request, res: Response): Who => {
    const jar = parseCookies(req.get('cookie'));
    let shopperId = deps.cookies.verify(SHOPPER_COOKIES.shopper, jar.get(SHOPPER_COOKIES.shopper));
    let sessionId = deps.cookies.verify(SHOPPER_COOKIES.session, jar.get(SHOPPER_COOKIES.session));
    const set: string[] = [];
    if (!shopperId) {
      shopperId = newId();
      set.push(serializeCookie(SHOPPER_COOKIES.shopper, deps.cookies.sign(SHOPPER_COOKIES.shopper, shopperId), { maxAgeSeconds: SHOPPER_COOKIE_SECONDS, secure: deps.secureCookies }));
    }
    if (!sessionId) sessionId = newId();
    // Every beacon extends the session: it ends after 30 minutes without one.
    set.push(serializeCookie(SHOPPER_COOKIES.session, deps.cookies.sign(SHOPPER_COOKIES.session, sessionId), { maxAgeSeconds: SESSION_IDLE_SECONDS, secure: deps.secureCookies }));
    res.append('Set-Cookie', set);
    return { shopperId, sessionId };
  };

  const publish = async (inputs: Array<{ input: ActivityInput; who: Who; field: string }>): Promise<string[]> => {
    const at = now();
    const errors: FieldError[] = [];
    const prepared = inputs.map(({ input, who, field }) => prepare(input, who, at, field));
    for (const p of prepared) if (!p.ok) errors.push(...p.errors);
    if (errors.length) throw problems.validation(errors);
    const ok = prepared.flatMap((p) => (p.ok ? [p] : []));
    await deps.publisher.publish(ok.map((p) => p.message));
    return ok.map((p) => p.event.id);
  };

  api.route(
    {
      method: 'post',
      path: '/v1/activity',
      operationId: 'recordActivity',
      summary: `Shopper activity the storefront's server observed (up to ${MAX_ACTIVITY_BATCH} events; shopperId and sessionId required)`,
      tags: ['activity'],
      body: activityBatchSchema,
      before: [auth],
      responses: { 202: { description: 'Published to activity-events', schema: acceptedSchema } },
    },
    async ({ body }, req, res) => {
      const principal = principalOf(req);
      if (!principal.roles.includes('service')) throw problems.forbidden('only platform services may record activity for a shopper');
      const missing: FieldError[] = [];
      body.events.forEach((e, i) => {
        if (!e.shopperId) missing.push({ field: `body.events.${i}.shopperId`, message: 'is required' });
        if (!e.sessionId) missing.push({ field: `body.events.${i}.sessionId`, message: 'is required' });
      });
      if (missing.length) throw problems.validation(missing);
      const eventIds = await publish(body.events.map((input, i) => ({ input, who: { shopperId: input.shopperId!, sessionId: input.sessionId! }, field: `body.events.${i}` })));
      res.status(202).json({ accepted: eventIds.length, eventIds });
    },
  );

  api.route(
    {
      method: 'post',
      path: '/beacon',
      operationId: 'beacon',
      summary: 'Activity from the page (navigator.sendBeacon, text/plain or JSON): one event or { events }; the shopper and session come from the cookies',
      tags: ['activity'],
      body: beaconBodySchema,
      secured: false,
      before: [limited, express.text({ type: 'text/plain', limit: BEACON_BODY_LIMIT }), jsonFromText],
      responses: { 202: { description: 'Published to activity-events', schema: acceptedSchema } },
    },
    async ({ body }, req, res) => {
      const events = 'events' in body ? body.events : [body];
      const who = shopperOf(req, res);
      const field = 'events' in body ? (i: number) => `body.events.${i}` : () => 'body';
      const eventIds = await publish(events.map((input, i) => ({ input, who, field: field(i) })));
      res.status(202).json({ accepted: eventIds.length, eventIds });
    },
  );

  api.route(
    {
      method: 'get',
      path: '/beacon/pixel.gif',
      operationId: 'beaconPixel',
      summary: 'A product view or search from a page without JavaScript, as a 1×1 image',
      tags: ['activity'],
      query: pixelQuerySchema,
      secured: false,
      before: [limited],
      responses: { 200: { description: 'A transparent GIF', contentType: 'image/gif' } },
    },
    async ({ query }, req, res) => {
      // Only the known fields: anything else in the URL (a cache buster) is not part of the event.
      const fields = query.type === 'product_viewed' ? { productId: query.productId, sku: query.sku ?? null } : { query: query.query, resultCount: query.resultCount };
      const input = parseWith(activityInputSchema, { type: query.type, ...(query.eventId ? { eventId: query.eventId } : {}), ...fields }, 'query');
      const who = shopperOf(req, res);
      await publish([{ input, who, field: 'query' }]);
      res.status(200).setHeader('Cache-Control', 'no-store').type('image/gif').send(PIXEL);
    },
  );

  return api;
}
