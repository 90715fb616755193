/**
 * Cache-Control values. Public pages are cached by Cloud CDN only (max-age=0 keeps browsers
 * revalidating, so a shopper never sees a page older than the CDN's copy); anything about one
 * shopper is never stored anywhere.
 */

export const PRIVATE = 'private, no-store';
export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Cloud CDN keys on the URL and these request headers only; never Cookie, which would make every shopper a miss. */
export const PUBLIC_VARY = 'Accept-Encoding';

export interface PublicCacheTimes {
  sharedMaxAgeSeconds: number;
  staleWhileRevalidateSeconds: number;
}

export const publicCacheControl = (t: PublicCacheTimes): string =>
  `public, max-age=0, s-maxage=${t.sharedMaxAgeSeconds}, stale-while-revalidate=${t.staleWhileRevalidateSeconds}`;

/**
 * Errors of public pages: a 4xx (unknown product, bad filter) is cached briefly so a flood of
 * misses does not reach the catalog; a 5xx is never cached, so the next request tries again.
 */
export function errorCacheControl(status: number, errorSeconds: number): string {
  if (status >= 500 || status === 429 || errorSeconds === 0) return 'no-store';
  return `public, max-age=0, s-maxage=${errorSeconds}`;
}
