import { bootService, busFor, cacheFor, CookieSigner, tokenVerifierFrom } from '@shop/kit';
import { activityConfigSchema } from './config';
import { startActivityService } from './service';

/** Production entry point: real adapters from the environment, drain on SIGTERM. */
bootService('activity', activityConfigSchema, async (boot) => {
  const { config, logger } = boot;
  return startActivityService(
    {
      bus: busFor(boot),
      cache: await cacheFor(boot),
      logger,
      verifyToken: tokenVerifierFrom(config),
      cookies: new CookieSigner(config.STOREFRONT_COOKIE_KEY),
      secureCookies: config.NODE_ENV === 'production',
      beaconRateLimit: config.BEACON_RATE_LIMIT,
      bodyLimit: config.BODY_LIMIT,
    },
    { port: config.PORT, host: config.HOST },
  );
});
