import { GoogleAuth, type IdTokenClient } from 'google-auth-library';
import type { DevIssuer } from './dev-issuer';

/**
 * How a service proves who it is when it calls another: a bearer token for the callee's audience.
 * In production that is a Google-signed ID token of the workload's service account (from the GKE
 * metadata server through Workload Identity); locally and in tests the development issuer signs one.
 */
export interface ServiceCredentials {
  token(audience: string): Promise<string>;
}

/** Google ID tokens for the workload's own service account; the client caches and refreshes them. */
export function googleIdTokenCredentials(auth: GoogleAuth = new GoogleAuth()): ServiceCredentials {
  const clients = new Map<string, Promise<IdTokenClient>>();
  return {
    token: async (audience) => {
      let client = clients.get(audience);
      if (!client) {
        client = auth.getIdTokenClient(audience);
        clients.set(audience, client);
        client.catch(() => clients.delete(audience));
      }
      const headers = await (await client).getRequestHeaders();
      const value = headers.get('authorization') ?? '';
      const match = /^Bearer (.+)$/.exec(value);
      if (!match?.[1]) throw new Error(`no ID token for audience ${audience}`);
      return match[1];
    },
  };
}

const DEV_TOKEN_TTL_SECONDS = 3600;
const RENEW_BEFORE_MS = 60_000;

/**
 * Development tokens with the `service` role, re-signed shortly before they expire. The audience is
 * the issuer's (every local service expects the same one), so the argument only keys the cache.
 */
export function devServiceCredentials(issuer: DevIssuer, subject: string, roles: string[] = ['service']): ServiceCredentials {
  let current: { token: Promise<string>; renewAt: number } | undefined;
  return {
    token: () => {
      if (!current || Date.now() >= current.renewAt) {
        const token = issuer.sign({ subject, roles, warehouses: ['*'], ttlSeconds: DEV_TOKEN_TTL_SECONDS });
        current = { token, renewAt: Date.now() + DEV_TOKEN_TTL_SECONDS * 1000 - RENEW_BEFORE_MS };
        token.catch(() => (current = undefined));
      }
      return current.token;
    },
  };
}
