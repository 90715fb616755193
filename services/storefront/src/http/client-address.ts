import type { Request } from 'express';

/**
 * The client address as the trusted proxies saw it. Google's load balancer appends
 * `<client>, <load balancer>` to X-Forwarded-For, so the leftmost entries are whatever the client
 * sent and only the one `hops` from the right can be believed; without the header (direct
 * calls) the socket's peer is the client.
 */
export function clientAddress(req: Request, hops: number): string {
  const forwarded = req.get('x-forwarded-for');
  if (hops > 0 && forwarded) {
    const entries = forwarded.split(',').map((e) => e.trim()).filter(Boolean);
    const entry = entries[entries.length - hops];
    if (entry && /^[0-9A-Fa-f:.]{2,45}$/.test(entry)) return entry;
  }
  return req.socket.remoteAddress ?? 'unknown';
}
