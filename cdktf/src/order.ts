/** Stacks in the order they are applied; later stacks refer to earlier ones by name. */
export const STACK_ORDER = ['bootstrap', 'network', 'clusters', 'data', 'identity', 'edge', 'streaming', 'observability'] as const;

export type StackName = (typeof STACK_ORDER)[number];
