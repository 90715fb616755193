export { createInventoryApp, INVENTORY_MIGRATIONS_DIR, type InventoryDeps, type InventoryApp } from './app';
export { startInventoryService, type InventoryServiceDeps, type RunningInventory } from './service';
export { inventoryConfigSchema, type InventoryConfig } from './config';
export { ROLES, PERMISSIONS, type Role, type Permission } from './domain/permissions';
export { findDrift, type DriftRow } from './store/ledger';
