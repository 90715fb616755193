import { randomUUID } from 'node:crypto';
import { fromMessage, TOPICS, type CloudEvent } from '@shop/contracts';
import { CookieSigner, createDevIssuer, createLogger, createTokenVerifier, listen, MemoryCache, PubSubBus, type Cache, type DevIssuer, type RunningServer, type Subscription } from '@shop/kit';
import { createActivityApp } from '../src/app';

export const ISSUER = 'https://identity.test/';
export const AUDIENCE = 'activity';
export const COOKIE_KEY = 'k'.repeat(40);

export interface Received {
  event: CloudEvent;
  attributes: Record<string, string>;
}

export interface Harness {
  url: string;
  issuer: DevIssuer;
  cookies: CookieSigner;
  received: Received[];
  /** Resolves once `count` events have arrived on activity-events. */
  waitFor(count: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

/** The activity app publishing to the Pub/Sub emulator, with a subscription that collects what arrives. */
export async function startHarness(options: { beaconRateLimit?: number; cache?: Cache; bus?: PubSubBus } = {}): Promise<Harness> {
  const logger = createLogger({ service: 'activity-test', level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  // A project of its own keeps this file's topics apart from everyone else's on the shared emulator.
  const bus = options.bus ?? new PubSubBus({ projectId: `activity-${randomUUID().slice(0, 8)}`, autoCreate: true, logger, publishTimeoutMs: 5_000 });
  const issuer = await createDevIssuer(ISSUER, AUDIENCE);
  const cookies = new CookieSigner(COOKIE_KEY);
  const received: Received[] = [];
  const waiters: Array<() => void> = [];
  const subscription: Subscription = await bus.subscribe(TOPICS.activity, `activity-test-${randomUUID().slice(0, 8)}`, (message) => {
    received.push({ event: fromMessage(message.attributes, message.data), attributes: message.attributes });
    for (const wake of waiters.splice(0)) wake();
    return Promise.resolve();
  });
  const app = createActivityApp({
    bus,
    cache: options.cache ?? new MemoryCache(),
    logger,
    verifyToken: createTokenVerifier({ jwks: issuer.jwks, issuer: ISSUER, audience: AUDIENCE }),
    cookies,
    secureCookies: true,
    beaconRateLimit: options.beaconRateLimit ?? 10_000,
  });
  const server: RunningServer = await listen(app, 0, '127.0.0.1');
  return {
    url: server.url,
    issuer,
    cookies,
    received,
    waitFor: async (count, timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} events, got ${received.length}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 200);
        });
      }
      return received.slice(0, count);
    },
    close: async () => {
      await server.close();
      await subscription.close();
      await bus.close();
    },
  };
}

/** A Cookie header with the storefront's signed shopper and session cookies. */
export const cookieHeader = (cookies: CookieSigner, shopperId: string, sessionId: string): string =>
  `sid=${cookies.sign('sid', shopperId)}; ssn=${cookies.sign('ssn', sessionId)}`;

/** The values of the Set-Cookie headers of a response, by cookie name. */
export function setCookies(res: Response): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of res.headers.getSetCookie()) {
    const [pair = ''] = line.split(';');
    const eq = pair.indexOf('=');
    out.set(pair.slice(0, eq), line);
  }
  return out;
}
