import { ServiceClient, type ServiceCredentials } from '@shop/kit';
import { ActivityApi } from './activity';
import { CatalogApi } from './catalog';
import { InventoryApi } from './inventory';
import { OrdersApi } from './orders';

export { ActivityApi, CatalogApi, InventoryApi, OrdersApi };

export interface CalleeOptions {
  catalogUrl: string;
  inventoryUrl: string;
  ordersUrl: string;
  activityUrl: string;
  /** The storefront's identity towards inventory, orders and activity (the catalog's reads are public). */
  credentials: ServiceCredentials;
  timeoutMs?: number;
  checkoutTimeoutMs?: number;
}

/** The services the storefront calls, each through the kit's ServiceClient. */
export interface Callees {
  catalog: CatalogApi;
  inventory: InventoryApi;
  orders: OrdersApi;
  activity: ActivityApi;
  close(): void;
}

export function createCallees(options: CalleeOptions): Callees {
  const timeoutMs = options.timeoutMs ?? 3_000;
  const catalog = new ServiceClient({ service: 'catalog', baseUrl: options.catalogUrl, timeoutMs });
  const inventory = new ServiceClient({ service: 'inventory', baseUrl: options.inventoryUrl, credentials: options.credentials, timeoutMs });
  const orders = new ServiceClient({ service: 'orders', baseUrl: options.ordersUrl, credentials: options.credentials, timeoutMs });
  const activity = new ServiceClient({ service: 'activity', baseUrl: options.activityUrl, credentials: options.credentials, timeoutMs });
  return {
    catalog: new CatalogApi(catalog),
    inventory: new InventoryApi({ client: inventory, baseUrl: options.inventoryUrl, credentials: options.credentials, connectTimeoutMs: timeoutMs }),
    orders: new OrdersApi(orders, options.checkoutTimeoutMs ?? 20_000),
    activity: new ActivityApi(activity),
    close: () => {
      for (const client of [catalog, inventory, orders, activity]) client.close();
    },
  };
}
