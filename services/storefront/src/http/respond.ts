import type { Response } from 'express';
import type { Logger } from '@shop/kit';
import { errorCacheControl, PRIVATE, PUBLIC_VARY, publicCacheControl, type PublicCacheTimes } from '../domain/cache-policy';
import type { Html } from '../render/html';

export interface PageSenderOptions {
  times: PublicCacheTimes;
  errorCacheSeconds: number;
  contentSecurityPolicy: string;
  logger: Logger;
}

/** Sends rendered pages with the headers their kind needs: cacheable by the CDN, or about one shopper. */
export class PageSender {
  constructor(private readonly options: PageSenderOptions) {}

  /** Call first in a private handler: whatever it ends in (an error page too) is never stored. */
  markPrivate(res: Response): void {
    res.setHeader('Cache-Control', PRIVATE);
  }

  isPrivate(res: Response): boolean {
    return String(res.getHeader('Cache-Control') ?? '').startsWith('private');
  }

  public(res: Response, status: number, page: Html): void {
    if (res.getHeader('set-cookie') !== undefined) {
      // A cookie on a cacheable page would be served to every shopper: refuse to cache instead.
      this.options.logger.error({ status }, 'Set-Cookie on a public page; sent as private');
      this.private(res, status, page);
      return;
    }
    const cacheControl = status < 400 ? publicCacheControl(this.options.times) : errorCacheControl(status, this.options.errorCacheSeconds);
    this.send(res, status, page, cacheControl);
  }

  private(res: Response, status: number, page: Html): void {
    this.send(res, status, page, PRIVATE);
  }

  /** An error page: private when its handler said so, else as public errors are. */
  error(res: Response, status: number, page: Html): void {
    if (this.isPrivate(res)) this.private(res, status, page);
    else this.public(res, status, page);
  }

  private send(res: Response, status: number, page: Html, cacheControl: string): void {
    res
      .status(status)
      .set({ 'Cache-Control': cacheControl, Vary: PUBLIC_VARY, 'Content-Security-Policy': this.options.contentSecurityPolicy, 'Content-Type': 'text/html; charset=utf-8' })
      .send(page.value);
  }
}

/**
 * Pages load only the shop's own script and stylesheet, talk only to the shop's origin (live
 * stock, beacon) and post forms only to it.
 */
export function contentSecurityPolicy(options: { imageOrigin?: string | undefined; upgradeInsecure: boolean }): string {
  const images = ["'self'", 'data:', ...(options.imageOrigin ? [new URL(options.imageOrigin).origin] : [])].join(' ');
  const directives = [
    "default-src 'self'",
    "base-uri 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    `img-src ${images}`,
    "object-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
  ];
  if (options.upgradeInsecure) directives.push('upgrade-insecure-requests');
  return directives.join('; ');
}
