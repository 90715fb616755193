import type { Knex, Logger } from '@shop/kit';
import type { OrdersSettings } from '../settings';
import { claimDueCheckouts } from '../store/checkouts';
import type { CheckoutSaga } from './checkout';
import type { OrderActions } from './order-actions';

export interface RecoveryDeps {
  db: Knex;
  logger: Logger;
  saga: CheckoutSaga;
  actions: OrderActions;
  settings: OrdersSettings;
}

/**
 * The recovery sweeper: takes over checkouts and order actions whose lease ran out (their instance
 * stopped, or a dependency was down) and finishes or undoes them. Every replica runs it; SKIP
 * LOCKED and the leases share the work without two instances driving one checkout.
 */
export class Recovery {
  constructor(private readonly deps: RecoveryDeps) {}

  /** One pass; resolves to the number of checkouts and actions it picked up. */
  async sweepOnce(limit = 20): Promise<number> {
    const checkouts = await claimDueCheckouts(this.deps.db, this.deps.settings.leaseSeconds, limit);
    if (checkouts.length) this.deps.logger.info({ checkouts: checkouts.map((c) => ({ id: c.id, step: c.step })) }, 'recovering checkouts');
    await Promise.all(checkouts.map((c) => this.deps.saga.drive(c, null)));
    const actions = await this.deps.actions.sweep(limit);
    return checkouts.length + actions;
  }

  /** Sweeps until nothing is due (tests and drains). */
  async sweepAll(): Promise<number> {
    let total = 0;
    for (let n = await this.sweepOnce(); n > 0; n = await this.sweepOnce()) total += n;
    return total;
  }
}
