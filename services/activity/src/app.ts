import { Router, type Express } from 'express';
import { apiDocsRouter, createHttpApp, type Cache, type CookieSigner, type EventBus, type Logger, type TokenVerifier } from '@shop/kit';
import { busPublisher } from './publisher';
import { buildApi } from './routes/index';

export interface ActivityDeps {
  bus: EventBus;
  cache: Cache;
  logger: Logger;
  verifyToken: TokenVerifier;
  /** Verifies (and signs, for new visitors) the storefront's shopper and session cookies. */
  cookies: CookieSigner;
  secureCookies: boolean;
  beaconRateLimit?: number;
  bodyLimit?: string;
  isDraining?: () => boolean;
  now?: () => Date;
}

/** Builds the activity HTTP app: server-side activity from the storefront and the page beacon. */
export function createActivityApp(deps: ActivityDeps): Express {
  const api = buildApi({
    publisher: busPublisher(deps.bus, deps.logger),
    cache: deps.cache,
    verifyToken: deps.verifyToken,
    cookies: deps.cookies,
    secureCookies: deps.secureCookies,
    beaconRateLimit: deps.beaconRateLimit ?? 600,
    ...(deps.now ? { now: deps.now } : {}),
  });
  const document = api.document({
    title: 'Activity API',
    version: '1.0.0',
    description: 'Shopper activity (views, searches, cart changes, checkouts, purchases) validated against the event contracts and published to activity-events.',
  });
  const routes = Router();
  routes.use(apiDocsRouter(document));
  routes.use(api.router);
  return createHttpApp({
    logger: deps.logger,
    bodyLimit: deps.bodyLimit ?? '256kb',
    readiness: { pubsub: () => deps.bus.ping() },
    routes,
    ...(deps.isDraining ? { isDraining: deps.isDraining } : {}),
  });
}
