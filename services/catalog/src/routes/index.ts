import express, { type RequestHandler, type Response } from 'express';
import { randomUUID } from 'node:crypto';
import {
  categoryListSchema,
  productDetailSchema,
  productListQuerySchema,
  productPageSchema,
  skuPriceListSchema,
} from '@shop/contracts';
import { Api, authenticate, principalOf, problems, type TokenVerifier } from '@shop/kit';
import { adminProductView } from '../domain/views';
import { changeCategory, createCategory, deleteCategory } from '../operations/categories';
import type { Page } from '../cache/read-cache';
import type { Core } from '../operations/core';
import { getImportJob, type ImportRunner } from '../operations/imports';
import { createProduct, deleteProduct, restoreProduct, updateProduct } from '../operations/products';
import { categoriesPage, listingPage, productPage } from '../operations/reads';
import { decodeAdminCursor, listAdminProducts } from '../store/admin-listing';
import { skuPrices } from '../store/listing';
import { findProduct } from '../store/products';
import * as s from './schemas';

export interface RouteDeps {
  core: Core;
  verifyToken: TokenVerifier;
  imports: ImportRunner;
  /** Writes an uploaded CSV where the import job reads it; returns its URI. */
  storeUpload(content: Buffer): Promise<string>;
  /** Idempotency-Key handling for mutating routes. */
  idempotent: RequestHandler;
}

export const ADMIN_ROLE = 'admin';
const MAX_UPLOAD = '20mb';

/** Catalog managers only: 403 for a valid token without the admin role. */
const adminOnly: RequestHandler = (req, _res, next) => {
  const principal = principalOf(req);
  next(principal.roles.includes(ADMIN_ROLE) ? undefined : problems.forbidden(`role ${principal.roles.join(', ') || '(none)'} may not manage the catalog`));
};

/**
 * Sends a page as it was built or cached. Its stored ETag spares Express hashing the body on every
 * request, and answers a matching If-None-Match with 304.
 */
const sendPage = (res: Response, page: Page): void => {
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('ETag', page.etag);
  res.send(page.json);
};

export function buildApi(deps: RouteDeps): Api {
  const api = new Api();
  const { core } = deps;
  const db = core.db;
  const auth = authenticate(deps.verifyToken);
  const admin = [auth, adminOnly];
  const mutating = [...admin, deps.idempotent];
  const view = (record: Parameters<typeof adminProductView>[1]) => adminProductView(core.view, record);

  api.route(
    { method: 'get', path: '/v1/products', operationId: 'listProducts', summary: 'Active products: browse a category (with its descendants), search with typo tolerance, filter, sort; cursor pages', tags: ['products'], query: productListQuerySchema, secured: false, responses: { 200: { description: 'A page of products', schema: productPageSchema } } },
    async ({ query }, _req, res) => {
      sendPage(res, await listingPage(core, query));
    },
  );
  api.route(
    { method: 'get', path: '/v1/products/:idOrSlug', operationId: 'getProduct', summary: 'An active product by id or slug, with variants, prices and stock', tags: ['products'], params: s.productRefParams, secured: false, responses: { 200: { description: 'Product', schema: productDetailSchema }, 404: { description: 'No active product has this id or slug' } } },
    async ({ params }, _req, res) => {
      const page = await productPage(core, params.idOrSlug);
      if (!page) throw problems.notFound(`Product ${params.idOrSlug}`);
      sendPage(res, page);
    },
  );
  api.route(
    { method: 'get', path: '/v1/categories', operationId: 'listCategories', summary: 'The category tree, depth first, each with its path', tags: ['categories'], secured: false, responses: { 200: { description: 'Categories', schema: categoryListSchema } } },
    async (_in, _req, res) => {
      sendPage(res, await categoriesPage(core));
    },
  );
  api.route(
    { method: 'get', path: '/v1/skus', operationId: 'priceSkus', summary: 'Prices of SKUs for carts and checkout (unknown SKUs are left out; sellable=false when not for sale)', tags: ['pricing'], query: s.skusQuery, secured: false, responses: { 200: { description: 'Prices', schema: skuPriceListSchema } } },
    async ({ query }, _req, res) => {
      res.json({ items: await skuPrices(db, query.skus) });
    },
  );

  api.route(
    { method: 'get', path: '/v1/admin/products', operationId: 'adminListProducts', summary: 'Every product including drafts and (with deleted=include|only) deleted ones, newest first', tags: ['admin: products'], query: s.adminListQuery, before: admin, responses: { 200: { description: 'Products', schema: s.adminProductPage } } },
    async ({ query }, _req, res) => {
      const cursor = query.cursor ? decodeAdminCursor(query.cursor) : null;
      if (query.cursor && !cursor) throw problems.validation([{ field: 'query.cursor', message: 'is not a cursor this API issued' }]);
      const page = await listAdminProducts(db, query, cursor);
      res.json({ items: page.records.map(view), nextCursor: page.nextCursor });
    },
  );
  api.route(
    { method: 'post', path: '/v1/admin/products', operationId: 'createProduct', summary: 'Create a product with its variants', tags: ['admin: products'], body: s.productCreateBody, idempotent: true, before: mutating, responses: { 201: { description: 'Created', schema: s.adminProductView } } },
    async ({ body }, _req, res) => {
      const created = await createProduct(core, body);
      res.status(201).location(`/v1/admin/products/${created.id}`).json(view(created));
    },
  );
  api.route(
    { method: 'get', path: '/v1/admin/products/:id', operationId: 'adminGetProduct', summary: 'A product in any status, deleted or not', tags: ['admin: products'], params: s.idParams, before: admin, responses: { 200: { description: 'Product', schema: s.adminProductView } } },
    async ({ params }, _req, res) => {
      const record = await findProduct(db, { id: params.id });
      if (!record) throw problems.notFound(`Product ${params.id}`);
      res.json(view(record));
    },
  );
  api.route(
    { method: 'patch', path: '/v1/admin/products/:id', operationId: 'updateProduct', summary: 'Change a product; variants, when given, replace the whole list; expectedVersion guards against lost updates', tags: ['admin: products'], params: s.idParams, body: s.productPatchBody, idempotent: true, before: mutating, responses: { 200: { description: 'Updated', schema: s.adminProductView } } },
    async ({ params, body }, _req, res) => {
      res.json(view(await updateProduct(core, params.id, body)));
    },
  );
  api.route(
    { method: 'post', path: '/v1/admin/products/:id/status', operationId: 'changeProductStatus', summary: 'Publish (active), unpublish (draft) or archive a product', tags: ['admin: products'], params: s.idParams, body: s.statusBody, idempotent: true, before: mutating, responses: { 200: { description: 'Changed', schema: s.adminProductView } } },
    async ({ params, body }, _req, res) => {
      res.json(view(await updateProduct(core, params.id, body)));
    },
  );
  api.route(
    { method: 'delete', path: '/v1/admin/products/:id', operationId: 'deleteProduct', summary: 'Soft-delete a product: it leaves the storefront and carts drop it; it can be restored', tags: ['admin: products'], params: s.idParams, idempotent: true, before: mutating, responses: { 200: { description: 'Deleted', schema: s.adminProductView } } },
    async ({ params }, _req, res) => {
      res.json(view(await deleteProduct(core, params.id)));
    },
  );
  api.route(
    { method: 'post', path: '/v1/admin/products/:id/restore', operationId: 'restoreProduct', summary: 'Restore a soft-deleted product (409 when its slug was taken meanwhile)', tags: ['admin: products'], params: s.idParams, idempotent: true, before: mutating, responses: { 200: { description: 'Restored', schema: s.adminProductView } } },
    async ({ params }, _req, res) => {
      res.json(view(await restoreProduct(core, params.id)));
    },
  );

  api.route(
    { method: 'post', path: '/v1/admin/categories', operationId: 'createCategory', summary: 'Create a category, optionally under a parent', tags: ['admin: categories'], body: s.categoryCreateBody, idempotent: true, before: mutating, responses: { 201: { description: 'Created', schema: s.categoryView } } },
    async ({ body }, _req, res) => {
      const created = await createCategory(core, body);
      res.status(201).location(`/v1/admin/categories/${created.id}`).json(created);
    },
  );
  api.route(
    { method: 'patch', path: '/v1/admin/categories/:id', operationId: 'updateCategory', summary: 'Rename, re-slug or re-position a category', tags: ['admin: categories'], params: s.idParams, body: s.categoryPatchBody, idempotent: true, before: mutating, responses: { 200: { description: 'Updated', schema: s.categoryView } } },
    async ({ params, body }, _req, res) => {
      res.json(await changeCategory(core, params.id, body));
    },
  );
  api.route(
    { method: 'post', path: '/v1/admin/categories/:id/move', operationId: 'moveCategory', summary: 'Move a category under another parent (null: to the top); never under itself or its descendants', tags: ['admin: categories'], params: s.idParams, body: s.categoryMoveBody, idempotent: true, before: mutating, responses: { 200: { description: 'Moved', schema: s.categoryView } } },
    async ({ params, body }, _req, res) => {
      res.json(await changeCategory(core, params.id, body));
    },
  );
  api.route(
    { method: 'delete', path: '/v1/admin/categories/:id', operationId: 'deleteCategory', summary: 'Delete a category without products or child categories (409 otherwise)', tags: ['admin: categories'], params: s.idParams, idempotent: true, before: mutating, responses: { 200: { description: 'Deleted', schema: s.categoryView } } },
    async ({ params }, _req, res) => {
      res.json(await deleteCategory(core, params.id));
    },
  );

  const importSummary =
    'columns: product_slug, product_name, currency, sku, price_minor (required); options (size=M;colour=black), status, category_slug, description, images (gs://b/a.jpg|Alt;gs://b/b.jpg|Alt) (optional; blank keeps the stored value). One row per variant; upsert by SKU.';
  api.route(
    { method: 'post', path: '/v1/admin/imports', operationId: 'importProducts', summary: `Import a product CSV from Cloud Storage; ${importSummary}`, tags: ['admin: imports'], body: s.importBody, idempotent: true, before: mutating, responses: { 202: { description: 'Queued', schema: s.importJobView } } },
    async ({ body }, req, res) => {
      const job = await deps.imports.create({ ...body, actor: principalOf(req).subject });
      res.status(202).location(`/v1/admin/imports/${job.id}`).json(job);
    },
  );
  api.route(
    { method: 'post', path: '/v1/admin/imports/upload', operationId: 'uploadProductImport', summary: `Import an uploaded product CSV (Content-Type: text/csv); ${importSummary}`, tags: ['admin: imports'], query: s.importUploadQuery, idempotent: true, before: [...mutating, express.text({ type: ['text/csv', 'text/plain'], limit: MAX_UPLOAD })], responses: { 202: { description: 'Queued', schema: s.importJobView } } },
    async ({ query }, req, res) => {
      if (typeof req.body !== 'string' || !req.body.trim()) throw problems.validation([{ field: 'body', message: 'must be a non-empty CSV sent as text/csv' }]);
      const source = await deps.storeUpload(Buffer.from(req.body, 'utf8'));
      const job = await deps.imports.create({ source, dryRun: query.dryRun, actor: principalOf(req).subject });
      res.status(202).location(`/v1/admin/imports/${job.id}`).json(job);
    },
  );
  api.route(
    { method: 'get', path: '/v1/admin/imports/:id', operationId: 'getProductImport', summary: 'Import job progress, counts and per-row errors (naming the column)', tags: ['admin: imports'], params: s.idParams, before: admin, responses: { 200: { description: 'Job', schema: s.importJobView } } },
    async ({ params }, _req, res) => {
      const job = await getImportJob(db, params.id);
      if (!job) throw problems.notFound(`Import job ${params.id}`);
      res.json(job);
    },
  );

  return api;
}

export const uploadUri = (bucket: string): string => `gs://${bucket}/catalog-uploads/${new Date().toISOString().slice(0, 10)}/${randomUUID()}.csv`;
