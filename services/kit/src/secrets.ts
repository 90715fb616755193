import { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { SECRET_PREFIX, type SecretResolver } from './config';

export type SecretManagerClientOptions = NonNullable<ConstructorParameters<typeof SecretManagerServiceClient>[0]>;

export interface SecretManagerResolverOptions {
  /** Project for short references (`sm://NAME`); when absent, the client's detected project. */
  projectId?: string;
  /** Passed to SecretManagerServiceClient, e.g. credentials or a REST endpoint. */
  client?: SecretManagerClientOptions;
}

/** A SecretResolver that also releases its Secret Manager client. */
export type SecretManagerResolver = SecretResolver & { close(): Promise<void> };

const FULL_NAME = /^projects\/([^/]+)\/secrets\/([\w-]{1,255})(?:\/versions\/([\w-]+))?$/;
const SHORT_NAME = /^([\w-]{1,255})$/;

/**
 * Turns `sm://projects/P/secrets/S/versions/V`, `sm://projects/P/secrets/S` or `sm://S` into a
 * secret version resource name; versions default to `latest`. Returns undefined for anything else.
 */
export function parseSecretReference(reference: string): { project: string | undefined; secret: string; version: string } | undefined {
  if (!reference.startsWith(SECRET_PREFIX)) return undefined;
  const rest = reference.slice(SECRET_PREFIX.length);
  const full = FULL_NAME.exec(rest);
  if (full) return { project: full[1]!, secret: full[2]!, version: full[3] ?? 'latest' };
  const short = SHORT_NAME.exec(rest);
  if (short) return { project: undefined, secret: short[1]!, version: 'latest' };
  return undefined;
}

function payloadText(data: Uint8Array | string | null | undefined): string {
  if (data === null || data === undefined) throw new Error('secret version has no payload');
  return typeof data === 'string' ? data : Buffer.from(data).toString('utf8');
}

/**
 * Resolves `sm://` references through Secret Manager. Each reference is read once per process;
 * failures are not remembered, so a later start-up retry can succeed. Values are never logged.
 */
export function createSecretManagerResolver(options: SecretManagerResolverOptions = {}): SecretManagerResolver {
  // Created on first use, so services whose settings hold no sm:// reference never build a client.
  let client: SecretManagerServiceClient | undefined;
  const cache = new Map<string, Promise<string>>();

  const read = async (reference: string): Promise<string> => {
    const parsed = parseSecretReference(reference);
    if (!parsed) {
      throw new Error(`${reference} is not a secret reference; use sm://SECRET or sm://projects/PROJECT/secrets/SECRET/versions/VERSION`);
    }
    client ??= new SecretManagerServiceClient(options.client);
    const project = parsed.project ?? options.projectId ?? (await client.getProjectId());
    const name = client.secretVersionPath(project, parsed.secret, parsed.version);
    const [version] = await client.accessSecretVersion({ name });
    return payloadText(version.payload?.data);
  };

  const resolve = (reference: string): Promise<string> => {
    let value = cache.get(reference);
    if (!value) {
      value = read(reference);
      cache.set(reference, value);
      value.catch(() => cache.delete(reference));
    }
    return value;
  };

  return Object.assign(resolve, { close: async () => client?.close() });
}
