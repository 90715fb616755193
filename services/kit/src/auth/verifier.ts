import { createRemoteJWKSet, createLocalJWKSet, jwtVerify, errors as joseErrors, type JSONWebKeySet, type JWTPayload } from 'jose';
import type { Request, Response, NextFunction, RequestHandler } from 'express';
import { z } from 'zod';
import { problems } from '../errors';

/** Who is calling, from a verified token. `warehouses` is ['*'] for every warehouse. */
export interface Principal {
  subject: string;
  roles: string[];
  warehouses: string[];
}

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

const claimsSchema = z.object({
  sub: z.string().min(1),
  roles: z.array(z.string()).default([]),
  warehouses: z.array(z.string()).default([]),
});

export interface VerifierOptions {
  /** JWKS URL (production: the identity provider's) or an in-memory key set. */
  jwks: string | JSONWebKeySet;
  issuer: string;
  audience: string;
}

export type TokenVerifier = (token: string) => Promise<Principal>;

/** Verified tokens are remembered until they expire; a signature check costs more than the rest of a request. */
const VERIFIED_CACHE_SIZE = 10_000;

export function createTokenVerifier(options: VerifierOptions): TokenVerifier {
  const verified = new Map<string, { principal: Principal; expiresAt: number }>();
  const keys =
    typeof options.jwks === 'string'
      ? createRemoteJWKSet(new URL(options.jwks), { cooldownDuration: 30_000, cacheMaxAge: 600_000 })
      : createLocalJWKSet(options.jwks);
  return async (token) => {
    const hit = verified.get(token);
    if (hit && hit.expiresAt > Date.now()) return hit.principal;
    if (hit) verified.delete(token);
    const entry = await verifyUncached(token);
    if (verified.size >= VERIFIED_CACHE_SIZE) verified.delete(verified.keys().next().value!);
    verified.set(token, entry);
    return entry.principal;
  };

  async function verifyUncached(token: string): Promise<{ principal: Principal; expiresAt: number }> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, { issuer: options.issuer, audience: options.audience, clockTolerance: 5 }));
    } catch (err) {
      if (err instanceof joseErrors.JWKSTimeout || err instanceof joseErrors.JOSENotSupported) {
        throw problems.unavailable('identity-unavailable', 'Token keys could not be fetched');
      }
      const reason = err instanceof joseErrors.JWTExpired ? 'token has expired' : 'token is not valid';
      throw problems.unauthenticated(reason);
    }
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) throw problems.unauthenticated('token lacks the sub, roles or warehouses claims');
    const expiresAt = payload.exp ? payload.exp * 1000 : Date.now() + 60_000;
    return { principal: { subject: claims.data.sub, roles: claims.data.roles, warehouses: claims.data.warehouses }, expiresAt };
  }
}

/** Requires a valid bearer token and puts the caller on req.principal. */
export function authenticate(verify: TokenVerifier): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    const header = req.get('authorization');
    const match = header ? /^Bearer\s+([A-Za-z0-9._~+/-]+=*)$/i.exec(header) : null;
    if (!match?.[1]) {
      next(problems.unauthenticated());
      return;
    }
    verify(match[1]).then(
      (principal) => {
        req.principal = principal;
        next();
      },
      (err: unknown) => next(err),
    );
  };
}

export function principalOf(req: Request): Principal {
  if (!req.principal) throw problems.unauthenticated();
  return req.principal;
}

export const canSeeWarehouse = (principal: Principal, warehouseId: string): boolean =>
  principal.warehouses.includes('*') || principal.warehouses.includes(warehouseId);
