import { createHmac, timingSafeEqual } from 'node:crypto';

/** Cookie values the platform writes: letters, digits, dash, underscore and dot (no encoding needed). */
const VALUE = /^[A-Za-z0-9_.-]{1,512}$/;
const NAME = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_HEADER = 8192;

/**
 * Reads a Cookie header leniently: pairs that do not parse, oversized headers and duplicate names
 * (first wins, as browsers send the most specific first) never throw.
 */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (!header || header.length > MAX_HEADER) return cookies;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    if (NAME.test(name) && VALUE.test(value) && !cookies.has(name)) cookies.set(name, value);
  }
  return cookies;
}

/**
 * HMAC-SHA256 signed cookie values (`value.signature`, base64url). The name is signed too, so a
 * value cannot be moved from one cookie to another.
 */
export class CookieSigner {
  private readonly key: Buffer;

  constructor(secret: string) {
    if (secret.length < 32) throw new Error('cookie signing secret must be at least 32 characters');
    this.key = Buffer.from(secret, 'utf8');
  }

  sign(name: string, value: string): string {
    if (!VALUE.test(value) || value.includes('.')) throw new Error(`cookie value for ${name} must be letters, digits, dash or underscore`);
    return `${value}.${this.mac(name, value)}`;
  }

  /** The value when the signature holds, otherwise null (tampered, truncated or foreign). */
  verify(name: string, signed: string | undefined): string | null {
    if (!signed) return null;
    const dot = signed.lastIndexOf('.');
    if (dot <= 0) return null;
    const value = signed.slice(0, dot);
    const given = Buffer.from(signed.slice(dot + 1), 'utf8');
    const expected = Buffer.from(this.mac(name, value), 'utf8');
    return given.length === expected.length && timingSafeEqual(given, expected) ? value : null;
  }

  private mac(name: string, value: string): string {
    return createHmac('sha256', this.key).update(`${name}=${value}`).digest('base64url');
  }
}

export interface CookieOptions {
  maxAgeSeconds?: number;
  secure: boolean;
  httpOnly?: boolean;
  sameSite?: 'Lax' | 'Strict';
  path?: string;
}

/** A Set-Cookie header value. */
export function serializeCookie(name: string, value: string, options: CookieOptions): string {
  const parts = [`${name}=${value}`, `Path=${options.path ?? '/'}`, `SameSite=${options.sameSite ?? 'Lax'}`];
  if (options.maxAgeSeconds !== undefined) parts.push(`Max-Age=${options.maxAgeSeconds}`);
  if (options.httpOnly ?? true) parts.push('HttpOnly');
  if (options.secure) parts.push('Secure');
  return parts.join('; ');
}
