import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import type { Logger } from '../logger';

export interface RunningServer {
  server: http.Server;
  url: string;
  port: number;
  /** Stops accepting, lets in-flight requests finish, then closes what remains. */
  close(): Promise<void>;
}

export async function listen(app: Express, port: number, host: string): Promise<RunningServer> {
  const server = http.createServer(app);
  server.keepAliveTimeout = 65_000; // longer than the Google load balancer's 60 s idle timeout
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return {
    server,
    port: address.port,
    url: `http://${shownHost}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // Long-lived responses (live streams) would hold close() open forever.
        setTimeout(() => server.closeAllConnections(), 5_000).unref();
      }),
  };
}

export interface DrainOptions {
  logger: Logger;
  graceMs: number;
  /** Called first: readiness turns 503 so the load balancer stops routing here. */
  beginDrain: () => void;
  /** Called in order after the grace period, e.g. close server, stop relay, close pools. */
  steps: Array<[name: string, step: () => Promise<void>]>;
}

/** On SIGTERM/SIGINT: report not-ready, wait for the load balancer to notice, then close in order. */
export function drainOnSignal(options: DrainOptions): void {
  let draining = false;
  const drain = async (signal: string) => {
    if (draining) return;
    draining = true;
    options.logger.info({ signal }, 'draining');
    options.beginDrain();
    await new Promise((r) => setTimeout(r, options.graceMs));
    for (const [name, step] of options.steps) {
      try {
        await step();
      } catch (err) {
        options.logger.error({ err, step: name }, 'drain step failed');
      }
    }
    options.logger.info('drained');
    process.exit(0);
  };
  process.once('SIGTERM', () => void drain('SIGTERM'));
  process.once('SIGINT', () => void drain('SIGINT'));
}
