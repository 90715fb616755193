import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDevIssuer, createLogger, createTestDatabase, createTokenVerifier, listen, MemoryCache, type Cache, type DevIssuer, type TestDatabase, type RunningServer, LocalObjectStore } from '@shop/kit';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInventoryApp, INVENTORY_MIGRATIONS_DIR, type InventoryApp } from '../src/app';
import { client, type Client, type Reply } from '../../kit/test-support/api-client';

export const ISSUER = 'https://identity.test/';
export const AUDIENCE = 'inventory';

export interface Harness {
  database: TestDatabase;
  issuer: DevIssuer;
  inventory: InventoryApp;
  server: RunningServer;
  /** Calls the API as the given role, scoped to the given warehouses. */
  as(roles: string[], warehouses?: string[]): Client;
  close(): Promise<void>;
}

export { client, type Client, type Reply };


export async function tokenFor(issuer: DevIssuer, roles: string[], warehouses: string[] = ['*'], subject = `${roles.join('+')}@test`): Promise<string> {
  return issuer.sign({ subject, roles, warehouses });
}

/** A JWKS endpoint for the issuer, as an identity provider would serve it. */
export async function serveJwks(issuer: DevIssuer): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(issuer.jwks));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/jwks.json`, close: () => new Promise((r) => server.close(() => r())) };
}

export async function startHarness(options: { cache?: Cache } = {}): Promise<Harness> {
  const database = await createTestDatabase(INVENTORY_MIGRATIONS_DIR, 'inventory');
  const issuer = await createDevIssuer(ISSUER, AUDIENCE);
  const logger = createLogger({ service: 'inventory-test', level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const objects = new LocalObjectStore(mkdtempSync(path.join(tmpdir(), 'inventory-objects-')));
  const inventory = createInventoryApp({
    db: database.db,
    cache: options.cache ?? new MemoryCache(),
    logger,
    verifyToken: createTokenVerifier({ jwks: issuer.jwks, issuer: ISSUER, audience: AUDIENCE }),
    objects,
    importsBucket: 'imports-test',
  });
  await inventory.feed.start();
  const server = await listen(inventory.app, 0, '127.0.0.1');
  const tokens = new Map<string, Promise<string>>();
  return {
    database,
    issuer,
    inventory,
    server,
    as: (roles, warehouses = ['*']) => {
      const key = `${roles.join(',')}|${warehouses.join(',')}`;
      if (!tokens.has(key)) tokens.set(key, tokenFor(issuer, roles, warehouses));
      const pending = tokens.get(key)!;
      return client(server.url, pending);
    },
    close: async () => {
      await inventory.feed.stop();
      await inventory.imports.stop();
      await server.close();
      await database.drop();
    },
  };
}

/** Creates warehouses and receives stock through the API, as staff would. */
export async function seed(h: Harness, warehouses: Array<{ id: string; priority: number }>, stock: Array<{ warehouseId: string; sku: string; quantity: number }>): Promise<void> {
  const admin = h.as(['admin']);
  for (const w of warehouses) {
    const r = await admin.post('/v1/warehouses', { id: w.id, name: `Warehouse ${w.id}`, priority: w.priority });
    if (r.status !== 201) throw new Error(`seed warehouse ${w.id}: ${r.status} ${JSON.stringify(r.body)}`);
  }
  for (const s of stock) {
    const r = await admin.post('/v1/stock/receive', s);
    if (r.status !== 201) throw new Error(`seed stock ${s.sku}: ${r.status} ${JSON.stringify(r.body)}`);
  }
}
