export { createCatalogApp, CATALOG_MIGRATIONS_DIR, type CatalogDeps, type CatalogApp } from './app';
export { startCatalogService, type CatalogServiceDeps, type RunningCatalog } from './service';
export { catalogConfigSchema, type CatalogConfig } from './config';
