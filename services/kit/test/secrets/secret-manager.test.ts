import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { baseConfigSchema, ConfigError, loadConfig } from '../../src/config';
import { createSecretManagerResolver, parseSecretReference, type SecretManagerResolver } from '../../src/secrets';

const API_KEY = 'test-api-key';

interface SeenRequest {
  method: string;
  path: string;
  apiKey: string | undefined;
}

/**
 * Secret Manager's REST surface, as much of it as the resolver uses:
 * GET /v1/projects/{p}/secrets/{s}/versions/{v}:access -> { name, payload: { data: base64 } }.
 */
class FakeSecretManager {
  readonly secrets = new Map<string, string>();
  readonly seen: SeenRequest[] = [];
  private readonly server = http.createServer((req, res) => this.handle(req, res));

  async start(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const apiKey = req.headers['x-goog-api-key'];
    this.seen.push({ method: req.method ?? '', path: url.pathname, apiKey: typeof apiKey === 'string' ? apiKey : undefined });
    const match = /^\/v1\/(projects\/[^/]+\/secrets\/[^/]+)\/versions\/([^/:]+):access$/.exec(url.pathname);
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'GET' || !match) {
      reply(404, { error: { code: 404, message: `no route ${req.method} ${url.pathname}`, status: 'NOT_FOUND' } });
      return;
    }
    const [, secretName, version] = match;
    const value = this.secrets.get(`${secretName}/versions/${version}`);
    if (value === undefined) {
      reply(404, { error: { code: 404, message: `Secret [${secretName}] not found or has no versions.`, status: 'NOT_FOUND' } });
      return;
    }
    reply(200, {
      name: `${secretName}/versions/${version === 'latest' ? '3' : version}`,
      payload: { data: Buffer.from(value, 'utf8').toString('base64') },
    });
  }
}

describe('Secret Manager resolver', () => {
  const fake = new FakeSecretManager();
  let resolver: SecretManagerResolver;

  beforeAll(async () => {
    const port = await fake.start();
    resolver = createSecretManagerResolver({
      projectId: 'shop-test',
      client: {
        // REST transport over plain HTTP to the local fake; an API key needs no token exchange.
        fallback: true,
        apiEndpoint: '127.0.0.1',
        port,
        protocol: 'http',
        apiKey: API_KEY,
        // gaxios loads node-fetch with a dynamic import(), which jest's CommonJS sandbox cannot run.
        clientOptions: { transporterOptions: { fetchImplementation: fetch } },
      },
    });
  });
  afterAll(async () => {
    await resolver.close();
    await fake.stop();
  });
  beforeEach(() => {
    fake.seen.length = 0;
  });

  it('reads a fully qualified version through the official client', async () => {
    fake.secrets.set('projects/other-project/secrets/db-password/versions/7', 'pa55:wörd');
    await expect(resolver('sm://projects/other-project/secrets/db-password/versions/7')).resolves.toBe('pa55:wörd');
    expect(fake.seen).toEqual([{ method: 'GET', path: '/v1/projects/other-project/secrets/db-password/versions/7:access', apiKey: API_KEY }]);
  });

  it('reads a short reference as the latest version in the configured project', async () => {
    fake.secrets.set('projects/shop-test/secrets/jwt-key/versions/latest', 'signing-key');
    await expect(resolver('sm://jwt-key')).resolves.toBe('signing-key');
    expect(fake.seen.map((r) => r.path)).toEqual(['/v1/projects/shop-test/secrets/jwt-key/versions/latest:access']);
  });

  it('asks Secret Manager once per reference, even for concurrent lookups', async () => {
    fake.secrets.set('projects/shop-test/secrets/cached/versions/latest', 'first');
    const both = await Promise.all([resolver('sm://cached'), resolver('sm://cached')]);
    fake.secrets.set('projects/shop-test/secrets/cached/versions/latest', 'second');
    const later = await resolver('sm://cached');
    expect([...both, later]).toEqual(['first', 'first', 'first']);
    expect(fake.seen).toHaveLength(1);
  });

  it('rejects a missing secret and does not remember the failure', async () => {
    await expect(resolver('sm://not-yet')).rejects.toThrow(/not found/i);
    fake.secrets.set('projects/shop-test/secrets/not-yet/versions/latest', 'now-here');
    await expect(resolver('sm://not-yet')).resolves.toBe('now-here');
    expect(fake.seen).toHaveLength(2);
  });

  it('rejects malformed references without calling Secret Manager', async () => {
    await expect(resolver('sm://projects/p/secrets')).rejects.toThrow(/not a secret reference/);
    await expect(resolver('sm://bad name')).rejects.toThrow(/not a secret reference/);
    expect(fake.seen).toHaveLength(0);
  });

  it('resolves sm:// settings in loadConfig and names the setting whose secret is missing', async () => {
    fake.secrets.set('projects/shop-test/secrets/api-token/versions/2', 'tok-123');
    const schema = baseConfigSchema.extend({ API_TOKEN: z.string().min(1), LOG_LEVEL: z.string() });
    const config = await loadConfig(schema, { SERVICE_NAME: 'svc', API_TOKEN: 'sm://projects/shop-test/secrets/api-token/versions/2', LOG_LEVEL: 'warn' }, resolver);
    expect(config.API_TOKEN).toBe('tok-123');
    expect(config.SERVICE_NAME).toBe('svc');

    const failure = await loadConfig(schema, { SERVICE_NAME: 'svc', API_TOKEN: 'sm://absent-token', LOG_LEVEL: 'warn' }, resolver).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(ConfigError);
    expect((failure as ConfigError).issues).toEqual([expect.stringMatching(/^API_TOKEN: secret sm:\/\/absent-token could not be read/)]);
  });
});

describe('parseSecretReference', () => {
  it('accepts the three reference forms and rejects the rest', () => {
    expect(parseSecretReference('sm://projects/p1/secrets/s1/versions/4')).toEqual({ project: 'p1', secret: 's1', version: '4' });
    expect(parseSecretReference('sm://projects/p1/secrets/s1')).toEqual({ project: 'p1', secret: 's1', version: 'latest' });
    expect(parseSecretReference('sm://s1')).toEqual({ project: undefined, secret: 's1', version: 'latest' });
    expect(parseSecretReference('s1')).toBeUndefined();
    expect(parseSecretReference('sm://a/b')).toBeUndefined();
  });
});
