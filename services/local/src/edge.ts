import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ObjectNotFoundError, type ObjectStore } from '@shop/kit';

/** Paths the load balancer's URL map sends to the activity service (cdktf edge stack). */
const ACTIVITY_PATH = /^\/(beacon|v1\/activity)(\/|\?|$)/;
const ASSETS_PREFIX = '/assets/';

const CONTENT_TYPES: Record<string, string> = { svg: 'image/svg+xml', png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', webp: 'image/webp' };

export interface EdgeOptions {
  host: string;
  port: number;
  storefront: string;
  activity: string;
  /** The product-image bucket (`/assets/*`), when there is one to serve. */
  assets?: { objects: ObjectStore; bucket: string };
}

export interface RunningEdge {
  url: string;
  close(): Promise<void>;
}

async function serveAsset(assets: NonNullable<EdgeOptions['assets']>, path: string, res: http.ServerResponse): Promise<void> {
  const name = decodeURIComponent(path.slice(ASSETS_PREFIX.length).split('?')[0] ?? '');
  const type = CONTENT_TYPES[name.split('.').pop()?.toLowerCase() ?? ''];
  try {
    if (!type || name.includes('..')) throw new ObjectNotFoundError(name);
    const body = await assets.objects.read(`gs://${assets.bucket}/${name}`);
    res.writeHead(200, { 'content-type': type, 'cache-control': 'public, max-age=3600', 'x-content-type-options': 'nosniff' }).end(body);
  } catch {
    res.writeHead(404, { 'content-type': 'text/plain', 'cache-control': 'public, max-age=60' }).end('not found');
  }
}

/**
 * One origin in front of the shop, as the global load balancer is in production: `/beacon*` and
 * `/v1/activity*` go to the activity service, `/assets/*` is the product-image bucket, everything
 * else goes to the storefront. It appends to X-Forwarded-For the way Google's load balancer does
 * (the client, then itself), which the storefront's rate limits read.
 */
export async function startEdge(options: EdgeOptions): Promise<RunningEdge> {
  const server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    if (path.startsWith(ASSETS_PREFIX) && options.assets) {
      void serveAsset(options.assets, path, res);
      return;
    }
    const target = new URL(ACTIVITY_PATH.test(path) ? options.activity : options.storefront);
    const client = req.socket.remoteAddress ?? '127.0.0.1';
    const forwarded = [req.headers['x-forwarded-for'], client, '127.0.0.1'].filter(Boolean).join(', ');
    const upstream = http.request({ host: target.hostname, port: target.port, method: req.method, path, headers: { ...req.headers, 'x-forwarded-for': forwarded } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain', 'cache-control': 'no-store' });
      res.end('bad gateway');
    });
    // A browser leaving a live stream closes its upstream too.
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
