import type { Request } from 'express';
import { principalOf, problems, type Principal } from '@shop/kit';
import { coversAllWarehouses, hasPermission, inScope, type Permission } from '../domain/permissions';
import type { Actor } from '../operations/core';

/** Checks the caller's role and that every warehouse touched is within its scope; 403 otherwise. */
export function authorize(req: Request, permission: Permission, warehouseIds: string[] = []): Principal {
  const principal = principalOf(req);
  if (!hasPermission(principal, permission)) {
    throw problems.forbidden(`role ${principal.roles.join(', ') || '(none)'} may not ${permission}`);
  }
  const outside = warehouseIds.filter((w) => !inScope(principal, w));
  if (outside.length) throw problems.forbidden(`not permitted at warehouse ${outside.join(', ')}`);
  return principal;
}

/** The warehouses a caller may see, or null for all. */
export const scopeOf = (principal: Principal): string[] | null => (coversAllWarehouses(principal) ? null : principal.warehouses);

export function actorOf(req: Request): Actor {
  const key = req.get('idempotency-key');
  return { actor: principalOf(req).subject, idempotencyKey: key ?? null };
}
