import type { Logger } from '@shop/kit';

export interface DemoWarehouse {
  id: string;
  name: string;
  priority: number;
}

export interface DemoStock {
  warehouseId: string;
  sku: string;
  quantity: number;
}

export const DEMO_WAREHOUSES: readonly DemoWarehouse[] = [
  { id: 'berlin-1', name: 'Berlin', priority: 1 },
  { id: 'paris-1', name: 'Paris', priority: 2 },
  { id: 'madrid-1', name: 'Madrid', priority: 3 },
];

const variants = (base: string, ...suffixes: string[]): string[] => suffixes.map((s) => `${base}-${s}`);

export const DEMO_SKUS: readonly string[] = [
  ...['BLK', 'WHT', 'NVY'].flatMap((colour) => variants(`TEE-${colour}`, 'S', 'M', 'L')),
  ...['GRY', 'BLK'].flatMap((colour) => variants(`HOODIE-${colour}`, 'M', 'L')),
  ...variants('JEANS-SLIM', '30', '32', '34'),
  ...variants('SNEAKER-RUN', '40', '41', '42', '43', '44'),
  ...variants('CAP', 'BLK', 'RED'),
  ...variants('SOCKS-3PK', 'M', 'L'),
  ...variants('MUG-CERAMIC', 'WHT', 'BLU'),
  'BOTTLE-STEEL-750',
  ...variants('BACKPACK-CITY', 'BLK', 'OLV'),
];

/**
 * Deterministic quantities: (7i + 11w) mod 17 takes three different values for the three
 * warehouses, so at most one warehouse of a SKU is empty and every SKU has stock somewhere.
 */
export function demoStock(): DemoStock[] {
  return DEMO_SKUS.flatMap((sku, i) =>
    DEMO_WAREHOUSES.map((warehouse, w) => ({ warehouseId: warehouse.id, sku, quantity: ((7 * i + 11 * w) % 17) * 4 })),
  ).filter((line) => line.quantity > 0);
}

export interface SeedOptions {
  inventoryUrl: string;
  /** An admin token: creating warehouses needs warehouses.manage. */
  adminToken: string;
  logger: Logger;
}

export interface ApiCall {
  baseUrl: string;
  token: string;
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  /** Sent as text/csv instead of JSON. */
  csv?: string;
  idempotencyKey?: string;
}

export type SeedOutcome = { seeded: true; warehouses: number; skus: number; receipts: number } | { seeded: false; reason: string };

const CONCURRENCY = 8;

/** One call to a service's API as staff make it; a non-2xx answer fails seeding, naming the call. */
export async function apiCall(call: ApiCall): Promise<unknown> {
  const headers: Record<string, string> = { authorization: `Bearer ${call.token}`, accept: 'application/json' };
  if (call.body !== undefined) headers['content-type'] = 'application/json';
  if (call.csv !== undefined) headers['content-type'] = 'text/csv';
  if (call.idempotencyKey) headers['idempotency-key'] = call.idempotencyKey;
  const body = call.csv ?? (call.body === undefined ? null : JSON.stringify(call.body));
  const res = await fetch(new URL(call.path, call.baseUrl), { method: call.method, headers, body });
  const text = await res.text();
  if (!res.ok) throw new Error(`seeding: ${call.method} ${call.path} answered ${res.status}: ${text.slice(0, 500)}`);
  return text ? (JSON.parse(text) as unknown) : undefined;
}

const call = (options: SeedOptions, method: 'GET' | 'POST', path: string, body?: unknown, idempotencyKey?: string): Promise<unknown> =>
  apiCall({ baseUrl: options.inventoryUrl, token: options.adminToken, method, path, body, ...(idempotencyKey ? { idempotencyKey } : {}) });

async function hasWarehouses(options: SeedOptions): Promise<boolean> {
  const page = (await call(options, 'GET', '/v1/warehouses?limit=1')) as { items?: unknown[] } | undefined;
  return (page?.items?.length ?? 0) > 0;
}

/**
 * Fills an empty inventory with demo warehouses and stock through the public API, as a WMS would,
 * so every receipt goes through validation, the ledger and the outbox. A non-empty one is left alone.
 */
export async function seedDemoData(options: SeedOptions): Promise<SeedOutcome> {
  if (await hasWarehouses(options)) return { seeded: false, reason: 'the inventory database already has warehouses' };
  for (const warehouse of DEMO_WAREHOUSES) {
    await call(options, 'POST', '/v1/warehouses', warehouse, `demo-warehouse-${warehouse.id}`);
  }
  const lines = demoStock();
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let line = lines[next++]; line; line = lines[next++]) {
      const body = { warehouseId: line.warehouseId, sku: line.sku, quantity: line.quantity, reference: 'demo-seed' };
      await call(options, 'POST', '/v1/stock/receive', body, `demo-receive-${line.warehouseId}-${line.sku}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  options.logger.info({ warehouses: DEMO_WAREHOUSES.length, receipts: lines.length }, 'demo data seeded');
  return { seeded: true, warehouses: DEMO_WAREHOUSES.length, skus: DEMO_SKUS.length, receipts: lines.length };
}
