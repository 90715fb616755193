export { createStorefrontApp, type StorefrontDeps, type StorefrontApp } from './app';
export { startStorefront, type StorefrontServiceDeps, type RunningStorefront } from './service';
export { storefrontConfigSchema, storefrontSettingsSchema, storefrontSettings, type StorefrontConfig, type StorefrontSettings } from './config';
export { createCallees, type Callees, type CalleeOptions } from './callees/index';
export { noAlsoViewed, type AlsoViewed } from './recommendations/also-viewed';
export { ActivityQueue, type ActivitySink } from './activity/queue';
export { warehouseAlsoViewed, type WarehouseAlsoViewedOptions } from './recommendations/warehouse-also-viewed';
