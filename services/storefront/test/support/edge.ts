import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A 1×1 transparent PNG standing in for the product-image bucket. */
const IMAGE = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');

export interface Edge {
  url: string;
  close(): Promise<void>;
}

/**
 * One origin in front of the storefront, as the global load balancer is: `/beacon*` and
 * `/v1/activity*` go to the activity service, `/assets/*` is the image bucket, the rest goes to the
 * storefront. It appends to X-Forwarded-For the way Google's load balancer does (client, then itself).
 */
export async function startEdge(targets: { storefront: string; activity: string }): Promise<Edge> {
  const server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    if (path.startsWith('/assets/')) {
      res.writeHead(200, { 'content-type': 'image/png', 'cache-control': 'public, max-age=3600' }).end(IMAGE);
      return;
    }
    const target = new URL(/^\/(beacon|v1\/activity)(\/|\?|$)/.test(path) ? targets.activity : targets.storefront);
    const client = req.socket.remoteAddress ?? '127.0.0.1';
    const forwarded = [req.headers['x-forwarded-for'], client, '127.0.0.1'].filter(Boolean).join(', ');
    const upstream = http.request(
      { host: target.hostname, port: target.port, method: req.method, path, headers: { ...req.headers, 'x-forwarded-for': forwarded } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('bad gateway');
    });
    // A browser leaving a live stream closes its upstream too.
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
