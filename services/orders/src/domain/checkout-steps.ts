/**
 * A checkout's progress, kept in Postgres so any instance can finish what another started:
 * reserving → authorizing → committing → capturing → done, or → compensating → done on failure.
 */
export const CHECKOUT_STEPS = ['reserving', 'authorizing', 'committing', 'capturing', 'compensating', 'done'] as const;
export type CheckoutStep = (typeof CHECKOUT_STEPS)[number];

export const CHECKOUT_STATUSES = ['running', 'succeeded', 'failed'] as const;
export type CheckoutStatus = (typeof CHECKOUT_STATUSES)[number];
