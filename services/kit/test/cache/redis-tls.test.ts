import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { createRedisCache, type RedisCache } from '../../src/cache/redis-cache';
import { freePort, PrivateRedis } from '../../test-support/private-redis';

/**
 * Memorystore with in-transit encryption and AUTH: a server that speaks only TLS, with a
 * certificate from its own CA, and a password. The adapter must trust that CA and nothing else.
 */
const logger = pino({ level: 'silent' });
const PASSWORD = 'memorystore-auth-string';

function makeCertificates(dir: string): { ca: string; certFile: string; keyFile: string; otherCa: string } {
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=test server CA', '-keyout', file('ca.key'), '-out', file('ca.pem'));
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', file('server.key'), '-out', file('server.csr'));
  fs.writeFileSync(file('san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  openssl('x509', '-req', '-in', file('server.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial', '-days', '1', '-extfile', file('san.ext'), '-out', file('server.pem'));
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=unrelated CA', '-keyout', file('other.key'), '-out', file('other.pem'));
  return { ca: fs.readFileSync(file('ca.pem'), 'utf8'), certFile: file('server.pem'), keyFile: file('server.key'), otherCa: fs.readFileSync(file('other.pem'), 'utf8') };
}

describe('RedisCache over TLS with AUTH', () => {
  let dir: string;
  let certs: ReturnType<typeof makeCertificates>;
  let server: PrivateRedis;
  const opened: RedisCache[] = [];
  const open = async (url: string, caCert?: string): Promise<RedisCache> => {
    const cache = await createRedisCache({ url, caCert, logger, connectTimeoutMs: 1_000, maxReconnectDelayMs: 200 });
    opened.push(cache);
    return cache;
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'redis-tls-'));
    certs = makeCertificates(dir);
    server = new PrivateRedis(await freePort(), { tls: { certFile: certs.certFile, keyFile: certs.keyFile, ca: certs.ca }, password: PASSWORD });
    await server.start();
  });

  afterAll(async () => {
    await Promise.all(opened.map((c) => c.close()));
    await server.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('connects with the rediss:// URL and the server CA, authenticates and stores values', async () => {
    expect(server.url).toMatch(/^rediss:\/\/default:/);
    const cache = await open(server.url, certs.ca);
    expect(cache.isAvailable()).toBe(true);
    await cache.set('greeting', 'hello', 60);
    expect(await cache.get('greeting')).toBe('hello');
  });

  it('refuses a server whose certificate another CA signed', async () => {
    const cache = await open(server.url, certs.otherCa);
    expect(cache.isAvailable()).toBe(false);
  });

  it('refuses the server without the CA, since the system does not trust it', async () => {
    const cache = await open(server.url);
    expect(cache.isAvailable()).toBe(false);
  });

  it('does not work with a wrong AUTH string', async () => {
    const cache = await open(server.url.replace(encodeURIComponent(PASSWORD), 'wrong'), certs.ca);
    expect(cache.isAvailable()).toBe(false);
  });
});
