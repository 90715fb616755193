import type { Request } from 'express';
import { principalOf, problems, type Principal } from '@shop/kit';

/** The storefront calls with its service identity on behalf of a named shopper; staff with admin tokens. */
export const ORDERS_ROLES = ['service', 'admin'] as const;
export type OrdersRole = (typeof ORDERS_ROLES)[number];

export function requireRole(req: Request, ...roles: OrdersRole[]): Principal {
  const principal = principalOf(req);
  if (!principal.roles.some((r) => (roles as readonly string[]).includes(r))) {
    throw problems.forbidden(`role ${principal.roles.join(', ') || '(none)'} may not do this; it needs ${roles.join(' or ')}`);
  }
  return principal;
}

export const isAdmin = (principal: Principal): boolean => principal.roles.includes('admin');

/**
 * The shopper an order call is limited to: the storefront must name one; an admin may name one or
 * see every order (null).
 */
export function shopperScope(principal: Principal, shopperId: string | undefined): string | null {
  if (shopperId !== undefined) return shopperId;
  if (isAdmin(principal)) return null;
  throw problems.validation([{ field: 'query.shopperId', message: 'is required' }]);
}
