import { z } from 'zod';
import { availabilityResultSchema, MAX_SKUS_PER_AVAILABILITY_QUERY, reservationViewSchema, shortageSchema, type ReservationView, type ShortageView } from '@shop/contracts';
import { ServiceCallError, ServiceClient, ServiceUnavailableError, type ServiceCredentials } from '@shop/kit';
import { asUnavailable } from './catalog';

export type Reservation = ReservationView;
export type Shortage = ShortageView;

/** Exactly what a checkout asks inventory to hold; stored, so a recovered checkout repeats it byte for byte. */
export interface ReserveRequest {
  reference: string;
  lines: Array<{ sku: string; quantity: number }>;
  ttlSeconds: number;
}

/** Reasons inventory records on a release. */
export type ReleaseReason = 'payment_failed' | 'order_cancelled' | 'cancelled';

export type ReserveOutcome = { ok: true; reservation: Reservation } | { ok: false; shortages: Shortage[] };

/** Terminal answers to commit, release or fulfil: the hold is in that state, so asking again will not help. */
export type HoldOutcome = { ok: true } | { ok: false; status: string };

/** The inventory calls orders makes, with this workload's identity. */
export class InventoryClient {
  constructor(private readonly client: ServiceClient) {}

  static connect(baseUrl: string, credentials: ServiceCredentials): InventoryClient {
    return new InventoryClient(new ServiceClient({ service: 'inventory', baseUrl, credentials, timeoutMs: 5_000 }));
  }

  /** Sellable units by SKU across warehouses. */
  async availability(skus: readonly string[]): Promise<Map<string, number>> {
    const unique = [...new Set(skus)];
    const found = new Map<string, number>();
    for (let i = 0; i < unique.length; i += MAX_SKUS_PER_AVAILABILITY_QUERY) {
      try {
        const result = await this.client.get('/v1/availability', availabilityResultSchema, { query: { skus: unique.slice(i, i + MAX_SKUS_PER_AVAILABILITY_QUERY).join(',') } });
        for (const item of result.items) found.set(item.sku, item.available);
      } catch (err) {
        throw asUnavailable('inventory', err);
      }
    }
    return found;
  }

  /**
   * Holds every line or none. Sold out is an answer; anything else that fails throws
   * (ServiceUnavailableError when it is not known whether the hold was taken).
   */
  async reserve(idempotencyKey: string, request: ReserveRequest): Promise<ReserveOutcome> {
    try {
      return { ok: true, reservation: await this.client.post('/v1/reservations', request, reservationViewSchema, { idempotencyKey }) };
    } catch (err) {
      if (err instanceof ServiceCallError && err.slug === 'sold-out') {
        const shortages = z.array(shortageSchema).safeParse(err.problem?.shortages);
        return { ok: false, shortages: shortages.success ? shortages.data : [] };
      }
      throw err;
    }
  }

  commit(reservationId: string): Promise<HoldOutcome> {
    return this.hold(`/v1/reservations/${reservationId}/commit`, {}, ['committed']);
  }

  /** Releases a hold or a committed reservation; one already released or expired is released. */
  release(reservationId: string, reason: ReleaseReason): Promise<HoldOutcome> {
    return this.hold(`/v1/reservations/${reservationId}/release`, { reason }, ['released', 'expired']);
  }

  fulfil(reservationId: string): Promise<HoldOutcome> {
    return this.hold(`/v1/reservations/${reservationId}/fulfil`, {}, ['fulfilled']);
  }

  close(): void {
    this.client.close();
  }

  /**
   * Moves a reservation on. The reservation's own state makes this safe to repeat without an
   * Idempotency-Key: a 409 naming the state is an answer, and `done` states mean the change already
   * happened (a repeat after a lost answer). Anything else is retried later by the caller.
   */
  private async hold(path: string, body: object, done: string[]): Promise<HoldOutcome> {
    try {
      await this.client.post(path, body, reservationViewSchema);
      return { ok: true };
    } catch (err) {
      const status = err instanceof ServiceCallError && err.status === 409 ? err.problem?.reservationStatus : undefined;
      if (typeof status === 'string') return done.includes(status) ? { ok: true } : { ok: false, status };
      throw err;
    }
  }
}

/** Whether a failed call may have had its effect (so it must be repeated or undone later). */
export const isTransient = (err: unknown): boolean =>
  err instanceof ServiceUnavailableError || (err instanceof ServiceCallError && (err.status >= 500 || err.status === 409 || err.status === 429));
