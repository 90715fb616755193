/**
 * A checkout's progress, kept in Postgres so any instance can finish what another started:
 * reserving → authorizing → committing → capturing → done, or → compensating → done on failure.
 */
export const CHECKOUT_STEPS = ['reserving', 'authorizing', 'committing', 'capturing', 'compensating', 'done'] as const;
export type CheckoutStep = (typeof CHECKOUT_STEPS)[number];

export const CHECKOUT_STATUSES = ['running', 'succeeded', 'failed'] as const;
export type CheckoutStatus = (typeof CHECKOUT_STATUSES)[number];

/**
 * What recovery does with a checkout whose instance stopped mid-step. Before the payment is known
 * to be authorized the shopper's request is gone and nothing was promised, so it is undone; once
 * authorized the shopper has been promised the order, so it is finished.
 */
export function recoveryOf(step: Exclude<CheckoutStep, 'done'>): 'undo' | 'finish' {
  return step === 'committing' || step === 'capturing' ? 'finish' : 'undo';
}
