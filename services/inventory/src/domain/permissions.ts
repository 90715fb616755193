import type { Principal } from '@shop/kit';

export const ROLES = ['viewer', 'operator', 'manager', 'admin', 'service'] as const;
export type Role = (typeof ROLES)[number];

export type Permission =
  | 'stock.read'
  | 'stock.receive'
  | 'stock.count'
  | 'stock.transfer'
  | 'stock.move'
  | 'stock.adjust'
  | 'stock.settings'
  | 'stock.import'
  | 'reservations.write'
  | 'reservations.fulfil'
  | 'warehouses.manage'
  | 'ledger.read';

/** Who may do what. Warehouse scope is checked separately, per warehouse touched. */
export const PERMISSIONS: Record<Role, readonly Permission[]> = {
  viewer: ['stock.read', 'ledger.read'],
  operator: ['stock.read', 'ledger.read', 'stock.receive', 'stock.count', 'stock.transfer', 'stock.move', 'stock.import', 'reservations.fulfil'],
  manager: [
    'stock.read', 'ledger.read', 'stock.receive', 'stock.count', 'stock.transfer', 'stock.move', 'stock.import', 'reservations.fulfil',
    'stock.adjust', 'stock.settings', 'reservations.write',
  ],
  admin: [
    'stock.read', 'ledger.read', 'stock.receive', 'stock.count', 'stock.transfer', 'stock.move', 'stock.import', 'reservations.fulfil',
    'stock.adjust', 'stock.settings', 'reservations.write', 'warehouses.manage',
  ],
  service: ['stock.read', 'reservations.write', 'reservations.fulfil'],
};

export function hasPermission(principal: Principal, permission: Permission): boolean {
  return principal.roles.some((r) => (ROLES as readonly string[]).includes(r) && PERMISSIONS[r as Role].includes(permission));
}

export const coversAllWarehouses = (principal: Principal): boolean => principal.warehouses.includes('*');

export const inScope = (principal: Principal, warehouseId: string): boolean =>
  coversAllWarehouses(principal) || principal.warehouses.includes(warehouseId);
