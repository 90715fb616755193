export { createCatalogApp, CATALOG_MIGRATIONS_DIR, type CatalogDeps, type CatalogApp } from './app';
export { startCatalogService, type CatalogServiceDeps, type RunningCatalog } from './service';
export { catalogConfigSchema, type CatalogConfig } from './config';
export { ADMIN_ROLE } from './routes/index';
export { REQUIRED_COLUMNS as IMPORT_REQUIRED_COLUMNS, OPTIONAL_COLUMNS as IMPORT_OPTIONAL_COLUMNS } from './domain/import-rows';
