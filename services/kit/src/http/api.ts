import express, { Router, type Request, type Response, type RequestHandler } from 'express';
import { z } from 'zod';
import { getAbsoluteFSPath } from 'swagger-ui-dist';
import { parseWith } from './validate';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  contentType?: string;
}

export interface RouteSpec<B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType> {
  method: Method;
  /** Express-style path, e.g. /v1/warehouses/:id */
  path: string;
  operationId: string;
  summary: string;
  tags?: string[];
  body?: B;
  query?: Q;
  params?: P;
  responses: Record<number, ResponseSpec>;
  /** Accepts the Idempotency-Key header (documented). */
  idempotent?: boolean;
  /** Needs a bearer token; default true. */
  secured?: boolean;
  /** Middleware run before validation, e.g. authentication, idempotency. */
  before?: RequestHandler[];
}

export interface RouteInput<B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType> {
  body: z.infer<B>;
  query: z.infer<Q>;
  params: z.infer<P>;
}

type Handler<B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType> = (
  input: RouteInput<B, Q, P>,
  req: Request,
  res: Response,
) => Promise<void>;

interface Documented {
  method: Method;
  path: string;
  operation: Record<string, unknown>;
}

const problemSchema = {
  type: 'object',
  required: ['type', 'title', 'status'],
  properties: {
    type: { type: 'string', format: 'uri' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    errors: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } } },
  },
};

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' });
  return rest;
};

function parametersOf(schema: z.ZodType | undefined, location: 'query' | 'path'): Array<Record<string, unknown>> {
  if (!schema) return [];
  const js = jsonSchema(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(js.properties ?? {}).map(([name, s]) => ({
    name,
    in: location,
    required: location === 'path' || (js.required ?? []).includes(name),
    schema: s,
  }));
}

/**
 * One place per route for its validation and its documentation: the zod schemas that parse
 * the request are the ones the OpenAPI 3.1 document is built from.
 */
export class Api {
  readonly router: Router = Router();
  private readonly documented: Documented[] = [];

  route<B extends z.ZodType = z.ZodUnknown, Q extends z.ZodType = z.ZodUnknown, P extends z.ZodType = z.ZodUnknown>(
    spec: RouteSpec<B, Q, P>,
    handler: Handler<B, Q, P>,
  ): void {
    this.documented.push({ method: spec.method, path: spec.path.replace(/:(\w+)/g, '{$1}'), operation: this.describe(spec) });
    this.router[spec.method](spec.path, ...(spec.before ?? []), async (req: Request, res: Response) => {
      const input = {
        body: spec.body ? parseWith(spec.body, req.body ?? {}, 'body') : undefined,
        query: spec.query ? parseWith(spec.query, req.query, 'query') : undefined,
        params: spec.params ? parseWith(spec.params, req.params, 'params') : undefined,
      } as RouteInput<B, Q, P>;
      await handler(input, req, res);
    });
  }

  private describe<B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType>(spec: RouteSpec<B, Q, P>): Record<string, unknown> {
    const parameters = [...parametersOf(spec.params, 'path'), ...parametersOf(spec.query, 'query')];
    if (spec.idempotent) {
      parameters.push({
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        description: 'Retries with the same key replay the first response instead of repeating the change.',
        schema: { type: 'string', maxLength: 255 },
      });
    }
    const responses: Record<string, unknown> = {};
    for (const [status, r] of Object.entries(spec.responses)) {
      responses[status] = r.schema
        ? { description: r.description, content: { [r.contentType ?? 'application/json']: { schema: jsonSchema(r.schema, 'output') } } }
        : { description: r.description };
    }
    responses.default = { description: 'Problem details (RFC 9457)', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
    const operation: Record<string, unknown> = {
      operationId: spec.operationId,
      summary: spec.summary,
      tags: spec.tags ?? [],
      parameters,
      responses,
    };
    if (spec.body) operation.requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(spec.body, 'input') } } };
    if (spec.secured === false) operation.security = [];
    return operation;
  }

  document(info: { title: string; version: string; description?: string }): Record<string, unknown> {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const d of this.documented) (paths[d.path] ??= {})[d.method] = d.operation;
    return {
      openapi: '3.1.0',
      info,
      paths,
      components: {
        schemas: { Problem: problemSchema },
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
      security: [{ bearer: [] }],
    };
  }
}

const DOCS_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>API reference</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="docs"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script></body></html>`;

const DOCS_INIT = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#docs' });`;

/** Serves /openapi.json and a reference page at /docs (bundled Swagger UI, no external hosts). */
export function apiDocsRouter(document: Record<string, unknown>): Router {
  const router = Router();
  router.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  router.get('/docs', (_req, res) => {
    res.type('html').send(DOCS_PAGE);
  });
  router.get('/docs/init.js', (_req, res) => {
    res.type('application/javascript').send(DOCS_INIT);
  });
  router.use('/docs/assets', express.static(getAbsoluteFSPath(), { maxAge: '1d', index: false }));
  return router;
}
