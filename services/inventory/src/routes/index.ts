import express, { type RequestHandler } from 'express';
import { randomUUID } from 'node:crypto';
import { Api, authenticate, problems, type Knex, type TokenVerifier } from '@shop/kit';
import type { LiveFeed } from '../live';
import type { Core } from '../operations/core';
import { getImportJob, type ImportRunner } from '../operations/imports';
import { getReservation, type Reservations } from '../operations/reservations';
import { adjust, changeSettings, count, move, receive } from '../operations/stock';
import { cancelTransfer, getTransfer, receiveTransfer, shipTransfer } from '../operations/transfers';
import { availability, getLevel, listLedger, listLevels, listWarehouses } from '../store/queries';
import { actorOf, authorize, scopeOf } from './access';
import * as s from './schemas';
import { streamLevels } from './stream';

export interface RouteDeps {
  core: Core;
  verifyToken: TokenVerifier;
  reservations: Reservations;
  imports: ImportRunner;
  feed: LiveFeed;
  /** Writes an uploaded CSV where the import job reads it; returns its URI. */
  storeUpload(content: Buffer): Promise<string>;
  /** Idempotency-Key handling for mutating routes. */
  idempotent: RequestHandler;
}

const MAX_UPLOAD = '20mb';

export function buildApi(deps: RouteDeps): Api {
  const api = new Api();
  const db: Knex = deps.core.db;
  const auth = authenticate(deps.verifyToken);
  const mutating = [auth, deps.idempotent];
  const tags = (t: string) => [t];

  api.route(
    { method: 'get', path: '/v1/warehouses', operationId: 'listWarehouses', summary: 'Warehouses the caller may see', tags: tags('warehouses'), before: [auth], responses: { 200: { description: 'Warehouses', schema: s.page(s.warehouseView) } } },
    async (_in, req, res) => {
      const principal = authorize(req, 'stock.read');
      res.json({ items: await listWarehouses(db, scopeOf(principal)), nextCursor: null });
    },
  );
  api.route(
    { method: 'post', path: '/v1/warehouses', operationId: 'createWarehouse', summary: 'Create a warehouse', tags: tags('warehouses'), body: s.warehouseCreate, idempotent: true, before: mutating, responses: { 201: { description: 'Created', schema: s.warehouseView } } },
    async ({ body }, req, res) => {
      authorize(req, 'warehouses.manage');
      const inserted = await db('warehouses').insert({ id: body.id, name: body.name, priority: body.priority }).onConflict('id').ignore().returning(['id', 'name', 'priority', 'active']);
      if (!inserted.length) throw problems.conflict('warehouse-exists', 'Warehouse exists', `Warehouse ${body.id} already exists`);
      res.status(201).location(`/v1/warehouses/${body.id}`).json(inserted[0]);
    },
  );
  api.route(
    { method: 'patch', path: '/v1/warehouses/:id', operationId: 'updateWarehouse', summary: 'Rename, reprioritise or (de)activate a warehouse', tags: tags('warehouses'), params: s.warehouseParams, body: s.warehousePatch, idempotent: true, before: mutating, responses: { 200: { description: 'Updated', schema: s.warehouseView } } },
    async ({ params, body }, req, res) => {
      authorize(req, 'warehouses.manage', [params.id]);
      const updated = await db('warehouses').where({ id: params.id }).update({ ...body, updated_at: db.fn.now() }).returning(['id', 'name', 'priority', 'active']);
      if (!updated.length) throw problems.notFound(`Warehouse ${params.id}`);
      res.json(updated[0]);
    },
  );

  api.route(
    { method: 'get', path: '/v1/stock', operationId: 'listStock', summary: 'Stock levels, paginated by cursor', tags: tags('stock'), query: s.stockListQuery, before: [auth], responses: { 200: { description: 'Levels', schema: s.page(s.levelViewSchema) } } },
    async ({ query }, req, res) => {
      const principal = authorize(req, 'stock.read', query.warehouseId ? [query.warehouseId] : []);
      const warehouseIds = query.warehouseId ? [query.warehouseId] : scopeOf(principal);
      res.json(await listLevels(db, { warehouseIds, skuPrefix: query.skuPrefix, lowStock: query.lowStock, cursor: query.cursor, limit: query.limit }));
    },
  );
  api.route(
    { method: 'get', path: '/v1/stock/:warehouseId/:sku', operationId: 'getStock', summary: 'One SKU at one warehouse', tags: tags('stock'), params: s.stockParams, before: [auth], responses: { 200: { description: 'Level', schema: s.levelViewSchema } } },
    async ({ params }, req, res) => {
      authorize(req, 'stock.read', [params.warehouseId]);
      const level = await getLevel(db, params.sku, params.warehouseId);
      if (!level) throw problems.notFound(`Stock of ${params.sku} at ${params.warehouseId}`);
      res.json(level);
    },
  );
  api.route(
    { method: 'put', path: '/v1/stock/:warehouseId/:sku/settings', operationId: 'changeStockSettings', summary: 'Set safety stock and reorder point', tags: tags('stock'), params: s.stockParams, body: s.settingsBody, idempotent: true, before: mutating, responses: { 200: { description: 'Changed', schema: s.stockResult } } },
    async ({ params, body }, req, res) => {
      authorize(req, 'stock.settings', [params.warehouseId]);
      res.json(await changeSettings(deps.core, actorOf(req), { ...params, ...body }));
    },
  );
  api.route(
    { method: 'post', path: '/v1/stock/receive', operationId: 'receiveStock', summary: 'Receive goods into a warehouse', tags: tags('stock'), body: s.receiveBody, idempotent: true, before: mutating, responses: { 201: { description: 'Received', schema: s.stockResult } } },
    async ({ body }, req, res) => {
      authorize(req, 'stock.receive', [body.warehouseId]);
      res.status(201).json(await receive(deps.core, actorOf(req), body));
    },
  );
  api.route(
    { method: 'post', path: '/v1/stock/adjust', operationId: 'adjustStock', summary: 'Adjust on-hand stock with a reason code', tags: tags('stock'), body: s.adjustBody, idempotent: true, before: mutating, responses: { 201: { description: 'Adjusted', schema: s.stockResult } } },
    async ({ body }, req, res) => {
      authorize(req, 'stock.adjust', [body.warehouseId]);
      res.status(201).json(await adjust(deps.core, actorOf(req), body));
    },
  );
  api.route(
    { method: 'post', path: '/v1/stock/count', operationId: 'countStock', summary: 'Record a counted quantity (compare-and-swap on the expected on-hand)', tags: tags('stock'), body: s.countBody, idempotent: true, before: mutating, responses: { 201: { description: 'Counted', schema: s.stockResult } } },
    async ({ body }, req, res) => {
      authorize(req, 'stock.count', [body.warehouseId]);
      res.status(201).json(await count(deps.core, actorOf(req), body));
    },
  );
  api.route(
    { method: 'post', path: '/v1/stock/move', operationId: 'moveStock', summary: 'Move units between on hand, quality hold and damaged, or dispose of them', tags: tags('stock'), body: s.moveBody, idempotent: true, before: mutating, responses: { 201: { description: 'Moved', schema: s.stockResult } } },
    async ({ body }, req, res) => {
      authorize(req, 'stock.move', [body.warehouseId]);
      res.status(201).json(await move(deps.core, actorOf(req), body));
    },
  );

  api.route(
    { method: 'get', path: '/v1/availability', operationId: 'getAvailability', summary: 'Sellable stock for SKUs, per warehouse and in total', tags: tags('availability'), query: s.availabilityQuery, before: [auth], responses: { 200: { description: 'Availability', schema: s.availabilityResult } } },
    async ({ query }, req, res) => {
      const principal = authorize(req, 'stock.read', query.warehouseId ? [query.warehouseId] : []);
      res.json({ items: await availability(db, query.skus, query.warehouseId ? [query.warehouseId] : scopeOf(principal)) });
    },
  );
  api.route(
    { method: 'post', path: '/v1/availability/query', operationId: 'queryAvailability', summary: 'Availability for up to 1,000 SKUs', tags: tags('availability'), body: s.availabilityBody, before: [auth], responses: { 200: { description: 'Availability', schema: s.availabilityResult } } },
    async ({ body }, req, res) => {
      const principal = authorize(req, 'stock.read', body.warehouseIds ?? []);
      res.json({ items: await availability(db, [...new Set(body.skus)], body.warehouseIds ?? scopeOf(principal)) });
    },
  );

  api.route(
    { method: 'post', path: '/v1/transfers', operationId: 'shipTransfer', summary: 'Ship stock to another warehouse', tags: tags('transfers'), body: s.transferBody, idempotent: true, before: mutating, responses: { 201: { description: 'In transit', schema: s.transferView } } },
    async ({ body }, req, res) => {
      authorize(req, 'stock.transfer', [body.fromWarehouseId]);
      const transfer = await shipTransfer(deps.core, actorOf(req), body);
      res.status(201).location(`/v1/transfers/${transfer.id}`).json(transfer);
    },
  );
  api.route(
    { method: 'get', path: '/v1/transfers/:id', operationId: 'getTransfer', summary: 'A transfer', tags: tags('transfers'), params: s.idParams, before: [auth], responses: { 200: { description: 'Transfer', schema: s.transferView } } },
    async ({ params }, req, res) => {
      const transfer = await getTransfer(db, params.id);
      if (!transfer) throw problems.notFound(`Transfer ${params.id}`);
      const principal = authorize(req, 'stock.read');
      const scope = scopeOf(principal);
      if (scope && !scope.includes(transfer.fromWarehouseId) && !scope.includes(transfer.toWarehouseId)) throw problems.notFound(`Transfer ${params.id}`);
      res.json(transfer);
    },
  );
  api.route(
    { method: 'post', path: '/v1/transfers/:id/receive', operationId: 'receiveTransfer', summary: 'Receive a transfer at its destination', tags: tags('transfers'), params: s.idParams, body: s.transferReceiveBody, idempotent: true, before: mutating, responses: { 200: { description: 'Received', schema: s.transferView } } },
    async ({ params, body }, req, res) => {
      const transfer = await getTransfer(db, params.id);
      if (!transfer) throw problems.notFound(`Transfer ${params.id}`);
      authorize(req, 'stock.transfer', [transfer.toWarehouseId]);
      res.json(await receiveTransfer(deps.core, actorOf(req), params.id, body));
    },
  );
  api.route(
    { method: 'post', path: '/v1/transfers/:id/cancel', operationId: 'cancelTransfer', summary: 'Cancel a transfer in transit (stock returns to the source)', tags: tags('transfers'), params: s.idParams, idempotent: true, before: mutating, responses: { 200: { description: 'Cancelled', schema: s.transferView } } },
    async ({ params }, req, res) => {
      const transfer = await getTransfer(db, params.id);
      if (!transfer) throw problems.notFound(`Transfer ${params.id}`);
      authorize(req, 'stock.transfer', [transfer.fromWarehouseId]);
      res.json(await cancelTransfer(deps.core, actorOf(req), params.id));
    },
  );

  api.route(
    { method: 'post', path: '/v1/reservations', operationId: 'reserve', summary: 'Hold stock for a cart or order (all lines or none)', tags: tags('reservations'), body: s.reserveBody, idempotent: true, before: mutating, responses: { 201: { description: 'Held', schema: s.reservationView }, 409: { description: 'Sold out (problem body lists shortages)' } } },
    async ({ body }, req, res) => {
      const principal = authorize(req, 'reservations.write', body.warehouseIds ?? []);
      const outcome = await deps.reservations.reserve(actorOf(req), { ...body, warehouseIds: body.warehouseIds ?? scopeOf(principal) ?? undefined });
      if (!outcome.ok) {
        const detail = outcome.shortages.map((x) => `${x.sku}: requested ${x.requested}, available ${x.available}`).join('; ');
        throw problems.conflict('sold-out', 'Sold out', `Not enough stock: ${detail}`, { shortages: outcome.shortages });
      }
      res.status(201).location(`/v1/reservations/${outcome.reservation.id}`).json(outcome.reservation);
    },
  );
  const reservationInScope = async (req: express.Request, id: string, permission: 'reservations.write' | 'reservations.fulfil' | 'stock.read') => {
    const reservation = await getReservation(db, id);
    if (!reservation) throw problems.notFound(`Reservation ${id}`);
    authorize(req, permission, [...new Set(reservation.allocations.map((a) => a.warehouseId))]);
    return reservation;
  };
  api.route(
    { method: 'get', path: '/v1/reservations/:id', operationId: 'getReservation', summary: 'A reservation', tags: tags('reservations'), params: s.idParams, before: [auth], responses: { 200: { description: 'Reservation', schema: s.reservationView } } },
    async ({ params }, req, res) => {
      res.json(await reservationInScope(req, params.id, 'stock.read'));
    },
  );
  api.route(
    { method: 'post', path: '/v1/reservations/:id/extend', operationId: 'extendReservation', summary: 'Extend a hold', tags: tags('reservations'), params: s.idParams, body: s.extendBody, idempotent: true, before: mutating, responses: { 200: { description: 'Extended', schema: s.reservationView } } },
    async ({ params, body }, req, res) => {
      await reservationInScope(req, params.id, 'reservations.write');
      res.json(await deps.reservations.extend(actorOf(req), params.id, body.ttlSeconds));
    },
  );
  api.route(
    { method: 'post', path: '/v1/reservations/:id/commit', operationId: 'commitReservation', summary: 'Commit a hold (order paid)', tags: tags('reservations'), params: s.idParams, idempotent: true, before: mutating, responses: { 200: { description: 'Committed', schema: s.reservationView } } },
    async ({ params }, req, res) => {
      await reservationInScope(req, params.id, 'reservations.write');
      res.json(await deps.reservations.commit(actorOf(req), params.id));
    },
  );
  api.route(
    { method: 'post', path: '/v1/reservations/:id/fulfil', operationId: 'fulfilReservation', summary: 'Ship a committed reservation (leaves on hand and committed)', tags: tags('reservations'), params: s.idParams, idempotent: true, before: mutating, responses: { 200: { description: 'Fulfilled', schema: s.reservationView } } },
    async ({ params }, req, res) => {
      await reservationInScope(req, params.id, 'reservations.fulfil');
      res.json(await deps.reservations.fulfil(actorOf(req), params.id));
    },
  );
  api.route(
    { method: 'post', path: '/v1/reservations/:id/release', operationId: 'releaseReservation', summary: 'Release a hold or a committed reservation', tags: tags('reservations'), params: s.idParams, body: s.releaseBody, idempotent: true, before: mutating, responses: { 200: { description: 'Released', schema: s.reservationView } } },
    async ({ params, body }, req, res) => {
      await reservationInScope(req, params.id, 'reservations.write');
      res.json(await deps.reservations.release(actorOf(req), params.id, body.reason));
    },
  );

  api.route(
    { method: 'get', path: '/v1/ledger', operationId: 'listLedger', summary: 'Stock movements, newest first', tags: tags('ledger'), query: s.ledgerQuery, before: [auth], responses: { 200: { description: 'Ledger entries', schema: s.page(s.ledgerEntryView) } } },
    async ({ query }, req, res) => {
      const principal = authorize(req, 'ledger.read', query.warehouseId ? [query.warehouseId] : []);
      res.json(await listLedger(db, { ...query, warehouseIds: scopeOf(principal) }));
    },
  );

  api.route(
    { method: 'post', path: '/v1/imports', operationId: 'importStock', summary: 'Import a receive or count CSV from Cloud Storage (columns: warehouse_id, sku, quantity | counted_quantity[, expected_quantity][, reference])', tags: tags('imports'), body: s.importBody, idempotent: true, before: mutating, responses: { 202: { description: 'Queued', schema: s.importJobView } } },
    async ({ body }, req, res) => {
      const principal = authorize(req, 'stock.import');
      const job = await deps.imports.create({ ...body, principal });
      res.status(202).location(`/v1/imports/${job.id}`).json(job);
    },
  );
  api.route(
    { method: 'post', path: '/v1/imports/upload', operationId: 'uploadStockImport', summary: 'Import an uploaded CSV (Content-Type: text/csv)', tags: tags('imports'), query: s.importUploadQuery, idempotent: true, before: [...mutating, express.text({ type: ['text/csv', 'text/plain'], limit: MAX_UPLOAD })], responses: { 202: { description: 'Queued', schema: s.importJobView } } },
    async ({ query }, req, res) => {
      const principal = authorize(req, 'stock.import');
      if (typeof req.body !== 'string' || !req.body.trim()) {
        throw problems.validation([{ field: 'body', message: 'must be a non-empty CSV sent as text/csv' }]);
      }
      const source = await deps.storeUpload(Buffer.from(req.body, 'utf8'));
      const job = await deps.imports.create({ mode: query.mode, dryRun: query.dryRun, source, principal });
      res.status(202).location(`/v1/imports/${job.id}`).json(job);
    },
  );
  api.route(
    { method: 'get', path: '/v1/imports/:id', operationId: 'getStockImport', summary: 'Import job progress and per-row report', tags: tags('imports'), params: s.idParams, before: [auth], responses: { 200: { description: 'Job', schema: s.importJobView } } },
    async ({ params }, req, res) => {
      const principal = authorize(req, 'stock.import');
      const job = await getImportJob(db, params.id);
      if (!job || (job.actor !== principal.subject && !principal.roles.includes('admin'))) throw problems.notFound(`Import job ${params.id}`);
      const { actor: _actor, ...view } = job;
      res.json(view);
    },
  );

  api.route(
    { method: 'get', path: '/v1/stream/levels', operationId: 'streamLevels', summary: 'Live level changes (Server-Sent Events) for a warehouse or a set of SKUs', tags: tags('stream'), query: s.streamQuery, before: [auth], responses: { 200: { description: 'text/event-stream: a snapshot event, then levels events', contentType: 'text/event-stream' } } },
    async ({ query }, req, res) => {
      const principal = authorize(req, 'stock.read', query.warehouseId ? [query.warehouseId] : []);
      const warehouseIds = query.warehouseId ? [query.warehouseId] : scopeOf(principal);
      await streamLevels(req, res, db, deps.feed, { warehouseIds, skus: query.skus ?? null });
    },
  );

  return api;
}

export const uploadUri = (bucket: string): string => `gs://${bucket}/uploads/${new Date().toISOString().slice(0, 10)}/${randomUUID()}.csv`;
