import express, { type Express } from 'express';
import { createHttpApp, type Logger, type ReadinessCheck } from '@shop/kit';
import type { AnalyticsJob } from './job';

/** The runner's HTTP port: /healthz, /readyz (the bus and the warehouse answer) and /status (JSON). */
export function createStatusApp(job: AnalyticsJob, options: { logger: Logger; readiness: Record<string, ReadinessCheck>; isDraining: () => boolean }): Express {
  const routes = express.Router();
  routes.get('/status', (_req, res) => {
    res.json(job.status());
  });
  return createHttpApp({ logger: options.logger, readiness: options.readiness, bodyLimit: '16kb', routes, isDraining: options.isDraining });
}
