import express, { type Express, type Request, type Response, type NextFunction, type Router } from 'express';
import helmet from 'helmet';
import { randomUUID } from 'node:crypto';
import { PROBE_PATHS } from '@shop/contracts';
import type { Logger } from '../logger';
import { HttpProblem, problems } from '../errors';

export type ReadinessCheck = () => Promise<void>;

export interface AppOptions {
  logger: Logger;
  /** Dependencies /readyz must reach, by name. */
  readiness: Record<string, ReadinessCheck>;
  bodyLimit: string;
  /** Mounted after the standard middleware and before the error handler. */
  routes: Router;
  /** Optional: set to false while the process drains so load balancers stop sending. */
  isDraining?: () => boolean;
}

declare module 'express-serve-static-core' {
  interface Request {
    id: string;
    /** The service logger; entries written through it carry no request fields unless given. */
    log: Logger;
  }
}

const READINESS_TIMEOUT_MS = 2_000;

function withTimeout(check: ReadinessCheck): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${READINESS_TIMEOUT_MS} ms`)), READINESS_TIMEOUT_MS);
    check().then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

/**
 * One line per request when it finishes, in Cloud Logging's httpRequest shape. Done by hand
 * rather than per-request child loggers, which cost more than the rest of a hot request.
 */
function accessLog(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction) => {
    req.log = logger;
    if (req.path === PROBE_PATHS.live || req.path === PROBE_PATHS.ready) {
      next();
      return;
    }
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const status = res.statusCode;
      const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
      if (!logger.isLevelEnabled(level)) return;
      const latencyMs = Number(process.hrtime.bigint() - started) / 1e6;
      logger[level](
        {
          requestId: req.id,
          httpRequest: {
            requestMethod: req.method,
            requestUrl: req.originalUrl,
            status,
            latency: `${(latencyMs / 1000).toFixed(4)}s`,
            userAgent: req.get('user-agent'),
            remoteIp: req.ip,
          },
        },
        `${req.method} ${req.path} ${status}`,
      );
    });
    next();
  };
}

export function sendProblem(res: Response, problem: HttpProblem, instance?: string): void {
  res.status(problem.status).type('application/problem+json').json(problem.toBody(instance));
}

/** Builds an Express 5 app with the platform's standard edges: ids, logs, limits, health, problems. */
export function createHttpApp(options: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', true);
  app.set('query parser', 'extended');

  app.use((req: Request, res: Response, next: NextFunction) => {
    const incoming = req.get('x-request-id');
    req.id = incoming && /^[\w.:-]{1,128}$/.test(incoming) ? incoming : randomUUID();
    res.setHeader('x-request-id', req.id);
    next();
  });
  app.use(accessLog(options.logger));
  app.use(helmet());

  app.get(PROBE_PATHS.live, (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get(PROBE_PATHS.ready, async (_req, res) => {
    if (options.isDraining?.()) {
      res.status(503).json({ status: 'draining', checks: {} });
      return;
    }
    const entries = Object.entries(options.readiness);
    const results = await Promise.allSettled(entries.map(([, check]) => withTimeout(check)));
    const checks: Record<string, string> = {};
    let ready = true;
    results.forEach((result, i) => {
      const name = entries[i]![0];
      if (result.status === 'fulfilled') checks[name] = 'ok';
      else {
        ready = false;
        checks[name] = (result.reason as Error).message;
      }
    });
    res.status(ready ? 200 : 503).json({ status: ready ? 'ok' : 'unavailable', checks });
  });

  app.use(express.json({ limit: options.bodyLimit, type: ['application/json', 'application/*+json'] }));
  app.use(rejectNulCharacters);
  app.use(options.routes);

  app.use((req: Request, res: Response) => {
    sendProblem(res, problems.notFound(`${req.method} ${req.path}`), req.originalUrl);
  });
  app.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    sendProblem(res, toProblem(err, options.logger, req), req.originalUrl);
  });
  return app;
}

/** Finds the first string holding U+0000, which Postgres text cannot store. */
function nulPath(value: unknown, path: string, depth = 0): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (depth > 32 || value === null || typeof value !== 'object') return null;
  for (const [key, child] of Object.entries(value)) {
    if (key.includes('\u0000')) return `${path}.${key.split('\u0000').join('\\u0000')}`;
    const found = nulPath(child, `${path}.${key}`, depth + 1);
    if (found) return found;
  }
  return null;
}

function rejectNulCharacters(req: Request, _res: Response, next: NextFunction): void {
  const field = nulPath(req.body, 'body') ?? nulPath(req.query, 'query') ?? nulPath(req.params, 'params');
  next(field ? problems.validation([{ field, message: 'must not contain the NUL character' }]) : undefined);
}

interface BodyParserError {
  type?: string;
  status?: number;
  message?: string;
}

function toProblem(err: unknown, logger: Logger, req: Request): HttpProblem {
  if (err instanceof HttpProblem) return err;
  const parserError = err as BodyParserError;
  if (parserError?.type === 'entity.too.large') return problems.payloadTooLarge();
  if (parserError?.type === 'entity.parse.failed') {
    return problems.validation([{ field: 'body', message: 'is not valid JSON' }]);
  }
  if (parserError?.type === 'encoding.unsupported' || parserError?.type === 'charset.unsupported') {
    return new HttpProblem(415, 'unsupported-media-type', 'Unsupported media type', parserError.message);
  }
  if (typeof parserError?.status === 'number' && parserError.status >= 400 && parserError.status < 500) {
    return new HttpProblem(parserError.status, 'bad-request', 'Bad request', parserError.message);
  }
  // Postgres class 22 (data exception: out of range, bad encoding) means a value the schema let through was unusable.
  const sqlState = (err as { code?: unknown })?.code;
  if (typeof sqlState === 'string' && /^22[0-9A-Z]{3}$/.test(sqlState)) {
    logger.warn({ err, requestId: req.id }, 'request value rejected by the database');
    return new HttpProblem(400, 'invalid-value', 'Request holds a value that cannot be stored', (err as Error).message);
  }
  logger.error({ err, requestId: req.id }, 'unhandled error');
  return problems.internal();
}
