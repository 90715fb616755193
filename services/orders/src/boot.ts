import { bootService, busFor, cacheFor, databaseFor, tokenVerifierFrom, type ServiceCredentials } from '@shop/kit';
import { ORDERS_MIGRATIONS_DIR } from './migrations-dir';
import { ordersConfigSchema, settingsFrom } from './config';
import { openPaymentProvider } from './payments/index';
import { startOrdersService } from './service';

/**
 * Starts the orders service from the environment with real adapters and drains it on SIGTERM;
 * `credentials` is how this workload proves who it is to inventory.
 */
export function bootOrders(credentials: () => ServiceCredentials): void {
  bootService('orders', ordersConfigSchema, async (boot) => {
    const { config, logger } = boot;
    return startOrdersService(
      {
        db: await databaseFor(boot, ORDERS_MIGRATIONS_DIR),
        cache: await cacheFor(boot),
        bus: busFor(boot),
        logger,
        verifyToken: tokenVerifierFrom(config),
        catalogUrl: config.CATALOG_URL,
        inventoryUrl: config.INVENTORY_URL,
        credentials: credentials(),
        payments: openPaymentProvider(config),
        settings: settingsFrom(config),
        bodyLimit: config.BODY_LIMIT,
      },
      { port: config.PORT, host: config.HOST },
    );
  });
}
