import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { GcsObjectStore } from '../../src/storage/gcs-object-store';
import { ObjectNotFoundError } from '../../src/storage/types';

/** CRC32C (Castagnoli), base64 of the big-endian value, as Cloud Storage reports it. */
function crc32c(data: Buffer): string {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  const out = Buffer.alloc(4);
  out.writeUInt32BE((crc ^ 0xffffffff) >>> 0);
  return out.toString('base64');
}

interface StoredObject {
  data: Buffer;
  contentType: string;
  generation: number;
}

interface SeenRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization: string | undefined;
}

/** Splits a multipart/related body into its parts' headers and bytes. */
function multipartParts(body: Buffer, boundary: string): Array<{ headers: Record<string, string>; data: Buffer }> {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: Array<{ headers: Record<string, string>; data: Buffer }> = [];
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const afterDelimiter = start + delimiter.length;
    if (body.subarray(afterDelimiter, afterDelimiter + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, afterDelimiter);
    const part = body.subarray(afterDelimiter + 2, next - 2); // drop the CRLF after the delimiter and before the next
    const split = part.indexOf('\r\n\r\n');
    const headers: Record<string, string> = {};
    for (const line of part.subarray(0, split).toString('utf8').split('\r\n')) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    parts.push({ headers, data: part.subarray(split + 4) });
    start = next;
  }
  return parts;
}

/**
 * The slice of the Cloud Storage JSON API the client uses for small objects:
 * object metadata and media download (GET /storage/v1/b/{b}/o/{o}[?alt=media]) and
 * simple multipart upload (POST /upload/storage/v1/b/{b}/o?uploadType=multipart&name=...).
 */
class FakeCloudStorage {
  readonly objects = new Map<string, StoredObject>();
  readonly seen: SeenRequest[] = [];
  /** When set, media downloads flip a byte in transit (the hash header still describes the stored bytes). */
  corruptDownloads = false;
  private generation = 1;
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => this.handle(req, Buffer.concat(chunks), res));
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private metadata(bucket: string, name: string, object: StoredObject) {
    return {
      kind: 'storage#object',
      id: `${bucket}/${name}/${object.generation}`,
      bucket,
      name,
      generation: String(object.generation),
      contentType: object.contentType,
      size: String(object.data.length),
      md5Hash: createHash('md5').update(object.data).digest('base64'),
      crc32c: crc32c(object.data),
    };
  }

  private handle(req: http.IncomingMessage, body: Buffer, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    this.seen.push({
      method: req.method ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      authorization: req.headers.authorization,
    });
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
      res.end(JSON.stringify(value));
    };
    const notFound = (what: string) => json(404, { error: { code: 404, message: `No such object: ${what}`, errors: [{ reason: 'notFound', message: `No such object: ${what}` }] } });

    const object = /^\/storage\/v1\/b\/([^/]+)\/o\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && object) {
      const bucket = decodeURIComponent(object[1]!);
      const name = decodeURIComponent(object[2]!);
      const stored = this.objects.get(`${bucket}/${name}`);
      if (!stored) return notFound(`${bucket}/${name}`);
      if (url.searchParams.get('alt') !== 'media') return json(200, this.metadata(bucket, name, stored));
      const meta = this.metadata(bucket, name, stored);
      res.writeHead(200, {
        'content-type': stored.contentType,
        'content-length': String(stored.data.length),
        'x-goog-hash': `crc32c=${meta.crc32c},md5=${meta.md5Hash}`,
        'x-goog-stored-content-encoding': 'identity',
        'x-goog-generation': meta.generation,
      });
      const sent = Buffer.from(stored.data);
      if (this.corruptDownloads && sent.length > 0) sent[0] = sent[0]! ^ 0xff;
      res.end(sent);
      return;
    }

    const upload = /^\/upload\/storage\/v1\/b\/([^/]+)\/o$/.exec(url.pathname);
    if (req.method === 'POST' && upload && url.searchParams.get('uploadType') === 'multipart') {
      const bucket = decodeURIComponent(upload[1]!);
      const boundary = /boundary="?([^";]+)"?/.exec(req.headers['content-type'] ?? '')?.[1];
      if (!boundary) return json(400, { error: { code: 400, message: 'multipart boundary missing' } });
      const [metaPart, mediaPart] = multipartParts(body, boundary);
      if (!metaPart || !mediaPart) return json(400, { error: { code: 400, message: 'expected metadata and media parts' } });
      const meta = JSON.parse(metaPart.data.toString('utf8')) as { name?: string; contentType?: string };
      const name = url.searchParams.get('name') ?? meta.name;
      if (!name) return json(400, { error: { code: 400, message: 'object name missing' } });
      const stored: StoredObject = {
        data: Buffer.from(mediaPart.data),
        contentType: meta.contentType ?? mediaPart.headers['content-type'] ?? 'application/octet-stream',
        generation: this.generation++,
      };
      this.objects.set(`${bucket}/${name}`, stored);
      return json(200, this.metadata(bucket, name, stored));
    }
    json(404, { error: { code: 404, message: `no route ${req.method} ${url.pathname}` } });
  }
}

describe('GcsObjectStore against the Cloud Storage JSON API', () => {
  const fake = new FakeCloudStorage();
  let store: GcsObjectStore;

  beforeAll(async () => {
    const apiEndpoint = await fake.start();
    store = new GcsObjectStore({ apiEndpoint, projectId: 'shop-test', useAuthWithCustomEndpoint: false, retryOptions: { autoRetry: false } });
  });
  afterAll(async () => {
    await fake.stop();
  });
  beforeEach(() => {
    fake.seen.length = 0;
  });

  it('uploads with a simple multipart request and downloads the same bytes', async () => {
    const bytes = Buffer.from(Array.from({ length: 1024 }, (_, i) => (i * 7) % 256));
    await store.write('gs://catalog-imports/2024/products.bin', bytes, 'application/x-protobuf');
    const stored = fake.objects.get('catalog-imports/2024/products.bin');
    expect(stored?.data).toEqual(bytes);
    expect(stored?.contentType).toBe('application/x-protobuf');
    expect(await store.read('gs://catalog-imports/2024/products.bin')).toEqual(bytes);
    expect(fake.seen.map((r) => [r.method, r.path, r.query.uploadType ?? r.query.alt])).toEqual([
      ['POST', '/upload/storage/v1/b/catalog-imports/o', 'multipart'],
      ['GET', '/storage/v1/b/catalog-imports/o/2024%2Fproducts.bin', 'media'],
    ]);
    expect(fake.seen[0]!.query.name).toBe('2024/products.bin');
    // A custom endpoint without useAuthWithCustomEndpoint sends no credentials.
    expect(fake.seen.every((r) => r.authorization === undefined)).toBe(true);
  });

  it('stores text as UTF-8 with a text content type unless told otherwise', async () => {
    await store.write('gs://catalog-imports/notes/readme é.txt', 'größe ✓');
    expect(fake.objects.get('catalog-imports/notes/readme é.txt')).toMatchObject({ contentType: 'text/plain; charset=utf-8' });
    expect((await store.read('gs://catalog-imports/notes/readme é.txt')).toString('utf8')).toBe('größe ✓');
    await store.write('gs://catalog-imports/feed.csv', 'sku,qty\n', 'text/csv');
    expect(fake.objects.get('catalog-imports/feed.csv')?.contentType).toBe('text/csv');
  });

  it('reports whether an object exists', async () => {
    await store.write('gs://catalog-imports/present.json', '{}', 'application/json');
    expect(await store.exists('gs://catalog-imports/present.json')).toBe(true);
    expect(await store.exists('gs://catalog-imports/absent.json')).toBe(false);
  });

  it('rejects a missing object with ObjectNotFoundError', async () => {
    await expect(store.read('gs://catalog-imports/absent.csv')).rejects.toThrow(ObjectNotFoundError);
  });

  it('rejects a download whose bytes do not match the checksum the service sent', async () => {
    await store.write('gs://catalog-imports/fragile.bin', Buffer.from('important bytes'));
    fake.corruptDownloads = true;
    try {
      await expect(store.read('gs://catalog-imports/fragile.bin')).rejects.toThrow(/did not match/i);
    } finally {
      fake.corruptDownloads = false;
    }
  });

  it('refuses URIs that are not gs://bucket/object without calling the service', async () => {
    await expect(store.read('catalog-imports/file.csv')).rejects.toThrow(/not a gs:\/\/bucket\/object URI/);
    await expect(store.write('gs://catalog-imports', 'x')).rejects.toThrow(/not a gs:\/\/bucket\/object URI/);
    await expect(store.exists('gs://Bad_Bucket/x')).rejects.toThrow(/not a gs:\/\/bucket\/object URI/);
    expect(fake.seen).toHaveLength(0);
  });
});
