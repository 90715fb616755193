import http from 'node:http';
import { HttpProblem, problems, type DevIssuer, type Logger } from '@shop/kit';
import { ROLES, type Role } from '@shop/inventory';

/** One part of the running platform, as the hub's index and the banner show it. */
export interface Part {
  name: string;
  /** An address: a URL, a connection string or a folder. */
  location: string;
  note?: string;
}

const WAREHOUSE_ID = /^[a-z0-9][a-z0-9-]*$/;

export interface TokenRequest {
  subject: string;
  roles: Role[];
  warehouses: string[];
}

export interface HubOptions {
  host: string;
  port: number;
  issuer: DevIssuer;
  parts: readonly Part[];
  logger: Logger;
  /** Pages served under /analytics (the local warehouse's charts). */
  analytics?: http.RequestListener;
}

export interface RunningHub {
  url: string;
  close(): Promise<void>;
}

const isRole = (value: string): value is Role => (ROLES as readonly string[]).includes(value);

/** Reads ?role=operator&warehouses=a,b&subject=me; unknown roles and malformed ids are rejected by name. */
export function parseTokenRequest(query: URLSearchParams): TokenRequest | HttpProblem {
  const role = query.get('role') ?? 'viewer';
  if (!isRole(role)) return problems.validation([{ field: 'role', message: `must be one of ${ROLES.join(', ')}` }]);
  const warehouses = (query.get('warehouses') ?? '*')
    .split(',')
    .map((w) => w.trim())
    .filter(Boolean);
  const bad = warehouses.find((w) => w !== '*' && !WAREHOUSE_ID.test(w));
  if (warehouses.length === 0 || bad !== undefined) {
    return problems.validation([{ field: 'warehouses', message: 'must be * or a comma-separated list of warehouse ids' }]);
  }
  const subject = query.get('subject') ?? `local-${role}`;
  if (!/^[\w.@:-]{1,128}$/.test(subject)) return problems.validation([{ field: 'subject', message: 'must be 1-128 word characters' }]);
  return { subject, roles: [role], warehouses };
}

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

function indexPage(parts: readonly Part[]): string {
  const rows = parts
    .map((part) => {
      const location = /^https?:\/\//.test(part.location)
        ? `<a href="${escapeHtml(part.location)}">${escapeHtml(part.location)}</a>`
        : `<code>${escapeHtml(part.location)}</code>`;
      return `<tr><th>${escapeHtml(part.name)}</th><td>${location}</td><td>${escapeHtml(part.note ?? '')}</td></tr>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Shop platform (local)</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem}th{text-align:left;padding-right:1.5rem}td{padding:.3rem 1.5rem .3rem 0}</style>
</head><body>
<h1>Shop platform, running locally</h1>
<table>
${rows}
</table>
<p>Tokens: <code>curl -s 'http://HUB/dev/token?role=operator&amp;warehouses=berlin-1'</code> (roles: ${ROLES.join(', ')};
warehouses: ids or <code>*</code>). Send them as <code>Authorization: Bearer &lt;token&gt;</code>.</p>
</body></html>
`;
}

function send(res: http.ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(body);
}

function sendProblem(res: http.ServerResponse, problem: HttpProblem, instance: string): void {
  send(res, problem.status, 'application/problem+json', JSON.stringify(problem.toBody(instance)));
}

/**
 * The local front door: an index of every part, the development issuer's public keys (which the
 * services verify tokens against) and fresh development tokens on request. Loopback only.
 */
export async function startHub(options: HubOptions): Promise<RunningHub> {
  const { issuer, logger } = options;
  const hubUrl = `http://${options.host}:${options.port}`;

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://hub');
    if (options.analytics && (url.pathname === '/analytics' || url.pathname.startsWith('/analytics/'))) {
      options.analytics(req, res);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendProblem(res, problems.notFound(`${req.method ?? ''} ${url.pathname}`), url.pathname);
      return;
    }
    switch (url.pathname) {
      case '/': {
        const wantsJson = (req.headers.accept ?? '').includes('application/json');
        if (wantsJson) send(res, 200, 'application/json', JSON.stringify({ parts: options.parts }));
        else send(res, 200, 'text/html; charset=utf-8', indexPage(options.parts).replace('http://HUB', hubUrl));
        return;
      }
      case '/healthz':
        send(res, 200, 'application/json', '{"status":"ok"}');
        return;
      case '/.well-known/jwks.json':
        send(res, 200, 'application/json', JSON.stringify(issuer.jwks));
        return;
      case '/dev/token': {
        const request = parseTokenRequest(url.searchParams);
        if (request instanceof HttpProblem) {
          sendProblem(res, request, url.pathname);
          return;
        }
        const token = await issuer.sign(request);
        send(res, 200, 'application/json', JSON.stringify({ token, ...request, issuer: issuer.issuer, audience: issuer.audience }));
        return;
      }
      default:
        sendProblem(res, problems.notFound(url.pathname), url.pathname);
    }
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      logger.error({ err }, 'hub request failed');
      if (!res.headersSent) sendProblem(res, problems.internal(), req.url ?? '/');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    url: hubUrl,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
