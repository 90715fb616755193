import { generateKeyPair, exportJWK, SignJWT, type JSONWebKeySet, type KeyLike } from 'jose';
import { randomUUID } from 'node:crypto';

export interface DevTokenClaims {
  subject: string;
  roles: string[];
  warehouses: string[];
  /** Lifetime in seconds; default 12 h. */
  ttlSeconds?: number;
}

/**
 * A development identity provider for the local platform and tests: an ES256 key pair,
 * its public JWKS, and signed tokens. Never used in production, where tokens come from the IdP.
 */
export interface DevIssuer {
  issuer: string;
  audience: string;
  jwks: JSONWebKeySet;
  sign(claims: DevTokenClaims): Promise<string>;
}

export async function createDevIssuer(issuer: string, audience: string): Promise<DevIssuer> {
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = randomUUID();
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  const key: KeyLike = privateKey;
  return {
    issuer,
    audience,
    jwks: { keys: [jwk] },
    sign: (claims) =>
      new SignJWT({ roles: claims.roles, warehouses: claims.warehouses })
        .setProtectedHeader({ alg: 'ES256', kid })
        .setSubject(claims.subject)
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt()
        .setExpirationTime(`${claims.ttlSeconds ?? 43_200}s`)
        .sign(key),
  };
}
