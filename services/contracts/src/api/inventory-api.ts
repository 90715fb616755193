import { z } from 'zod';

/**
 * The parts of the inventory API other services call (the storefront reads availability; orders
 * holds, commits, releases and fulfils stock). Inventory documents its answers with these shapes;
 * callers parse what they receive with them.
 */

export const MAX_SKUS_PER_AVAILABILITY_QUERY = 200;

export const availabilityResultSchema = z.object({
  items: z.array(
    z.object({
      sku: z.string(),
      /** Sellable units over the warehouses asked about. */
      available: z.number().int(),
      warehouses: z.array(z.object({ warehouseId: z.string(), available: z.number().int(), onHand: z.number().int() })),
    }),
  ),
});
export type AvailabilityResult = z.infer<typeof availabilityResultSchema>;

export const RESERVATION_STATUSES = ['active', 'committed', 'fulfilled', 'released', 'expired'] as const;

export const reservationViewSchema = z.object({
  id: z.string(),
  reference: z.string(),
  status: z.enum(RESERVATION_STATUSES),
  expiresAt: z.string(),
  createdAt: z.string(),
  allocations: z.array(z.object({ sku: z.string(), warehouseId: z.string(), quantity: z.number().int() })),
});
export type ReservationView = z.infer<typeof reservationViewSchema>;

/** Listed by a 409 `sold-out` problem: what could not be held. */
export const shortageSchema = z.object({ sku: z.string(), requested: z.number().int(), available: z.number().int() });
export type ShortageView = z.infer<typeof shortageSchema>;
