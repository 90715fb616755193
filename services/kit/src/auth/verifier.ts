import { createRemoteJWKSet, createLocalJWKSet, decodeJwt, jwtVerify, errors as joseErrors, type JSONWebKeySet, type JWTPayload } from 'jose';
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

/**
 * Other workloads of the platform calling with Google-signed ID tokens of their service accounts
 * (Workload Identity). Only the accounts listed are trusted, with the roles listed.
 */
export interface WorkloadTrust {
  /** Google's certificates (GOOGLE_ID_TOKEN_JWKS) or an in-memory key set. */
  jwks: string | JSONWebKeySet;
  issuer: string;
  /** The audience callers request their tokens for. */
  audience: string;
  /** Service account email → roles. */
  accounts: Readonly<Record<string, readonly string[]>>;
}

export const GOOGLE_ID_TOKEN_ISSUER = 'https://accounts.google.com';
export const GOOGLE_ID_TOKEN_JWKS = 'https://www.googleapis.com/oauth2/v3/certs';

export interface VerifierOptions {
  /** JWKS URL (production: the identity provider's) or an in-memory key set. */
  jwks: string | JSONWebKeySet;
  issuer: string;
  audience: string;
  workloads?: WorkloadTrust | undefined;
}

/**
 * Parses TRUSTED_WORKLOADS: `email=role+role,email=role`, e.g.
 * `orders@p.iam.gserviceaccount.com=service`. Throws naming the entry that does not parse.
 */
export function parseTrustedWorkloads(value: string): Record<string, string[]> {
  const accounts: Record<string, string[]> = {};
  for (const entry of value.split(',').map((e) => e.trim()).filter(Boolean)) {
    const match = /^([^=\s]+@[^=\s]+)=([a-z]+(?:\+[a-z]+)*)$/.exec(entry);
    if (!match) throw new Error(`"${entry}" is not email=role[+role]`);
    accounts[match[1]!] = match[2]!.split('+');
  }
  return accounts;
}

export type TokenVerifier = (token: string) => Promise<Principal>;

/** Verified tokens are remembered until they expire; a signature check costs more than the rest of a request. */
const VERIFIED_CACHE_SIZE = 10_000;

const keySet = (jwks: string | JSONWebKeySet) =>
  typeof jwks === 'string' ? createRemoteJWKSet(new URL(jwks), { cooldownDuration: 30_000, cacheMaxAge: 600_000 }) : createLocalJWKSet(jwks);

const workloadClaimsSchema = z.object({ email: z.string().min(3), email_verified: z.literal(true) });

export function createTokenVerifier(options: VerifierOptions): TokenVerifier {
  const verified = new Map<string, { principal: Principal; expiresAt: number }>();
  const keys = keySet(options.jwks);
  const workloadKeys = options.workloads ? keySet(options.workloads.jwks) : undefined;
  return async (token) => {
    const hit = verified.get(token);
    if (hit && hit.expiresAt > Date.now()) return hit.principal;
    if (hit) verified.delete(token);
    const entry = await verifyUncached(token);
    if (verified.size >= VERIFIED_CACHE_SIZE) verified.delete(verified.keys().next().value!);
    verified.set(token, entry);
    return entry.principal;
  };

  async function check(token: string, jwks: ReturnType<typeof keySet>, issuer: string, audience: string): Promise<JWTPayload> {
    try {
      return (await jwtVerify(token, jwks, { issuer, audience, clockTolerance: 5 })).payload;
    } catch (err) {
      if (err instanceof joseErrors.JWKSTimeout || err instanceof joseErrors.JOSENotSupported) {
        throw problems.unavailable('identity-unavailable', 'Token keys could not be fetched');
      }
      const reason = err instanceof joseErrors.JWTExpired ? 'token has expired' : 'token is not valid';
      throw problems.unauthenticated(reason);
    }
  }

  function issuerOf(token: string): string | undefined {
    try {
      return decodeJwt(token).iss;
    } catch {
      throw problems.unauthenticated('token is not valid');
    }
  }

  async function verifyUncached(token: string): Promise<{ principal: Principal; expiresAt: number }> {
    const workloads = options.workloads;
    if (workloads && workloadKeys && issuerOf(token) === workloads.issuer) {
      const payload = await check(token, workloadKeys, workloads.issuer, workloads.audience);
      const claims = workloadClaimsSchema.safeParse(payload);
      const roles = claims.success ? workloads.accounts[claims.data.email] : undefined;
      if (!claims.success || !roles) throw problems.forbidden('this workload is not trusted to call the service');
      const expiresAt = payload.exp ? payload.exp * 1000 : Date.now() + 60_000;
      return { principal: { subject: claims.data.email, roles: [...roles], warehouses: ['*'] }, expiresAt };
    }
    const payload = await check(token, keys, options.issuer, options.audience);
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
