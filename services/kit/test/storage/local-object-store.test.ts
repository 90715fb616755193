import { mkdtemp, readFile, rm, writeFile, mkdir, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { LocalObjectStore } from '../../src/storage/local-object-store';
import { GcsObjectStore } from '../../src/storage/gcs-object-store';
import { createObjectStore } from '../../src/storage/factory';
import { ObjectNotFoundError } from '../../src/storage/types';

describe('LocalObjectStore', () => {
  let parent: string;
  let root: string;
  let store: LocalObjectStore;

  beforeEach(async () => {
    parent = await mkdtemp(path.join(os.tmpdir(), 'kit-objects-'));
    root = path.join(parent, 'root');
    await mkdir(root);
    store = new LocalObjectStore(root);
  });
  afterEach(async () => {
    await rm(parent, { recursive: true, force: true });
  });

  it('round-trips bytes and text under <root>/<bucket>/<path>', async () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    await store.write('gs://catalog-imports/2024/products.bin', bytes);
    await store.write('gs://catalog-imports/notes.txt', 'größe ✓');
    expect(await store.read('gs://catalog-imports/2024/products.bin')).toEqual(bytes);
    expect((await store.read('gs://catalog-imports/notes.txt')).toString('utf8')).toBe('größe ✓');
    expect(await readFile(path.join(root, 'catalog-imports', '2024', 'products.bin'))).toEqual(bytes);
    // The temporary file of the atomic write is gone.
    expect(await readdir(path.join(root, 'catalog-imports'))).toEqual(['2024', 'notes.txt']);
  });

  it('overwrites an existing object', async () => {
    await store.write('gs://bucket-1/x.json', '{"v":1}');
    await store.write('gs://bucket-1/x.json', '{"v":2}');
    expect((await store.read('gs://bucket-1/x.json')).toString()).toBe('{"v":2}');
  });

  it('reads relative paths and file:// URLs from the root', async () => {
    await writeFile(path.join(root, 'seed.csv'), 'sku,name\n');
    await mkdir(path.join(root, 'dir'));
    await writeFile(path.join(root, 'dir', 'a b.csv'), 'x');
    expect((await store.read('seed.csv')).toString()).toBe('sku,name\n');
    expect((await store.read('file://seed.csv')).toString()).toBe('sku,name\n');
    expect((await store.read('file://dir/a%20b.csv')).toString()).toBe('x');
    expect((await store.read(pathToFileURL(path.join(root, 'dir', 'a b.csv')).href)).toString()).toBe('x');
    expect((await store.read(path.join(root, 'seed.csv'))).toString()).toBe('sku,name\n');
  });

  it('reports existence of files only', async () => {
    await store.write('gs://bucket-1/dir/file.txt', 'x');
    expect(await store.exists('gs://bucket-1/dir/file.txt')).toBe(true);
    expect(await store.exists('gs://bucket-1/dir')).toBe(false);
    expect(await store.exists('gs://bucket-1/missing.txt')).toBe(false);
    expect(await store.exists('gs://bucket-1/dir/file.txt/below')).toBe(false);
  });

  it('rejects a missing object with ObjectNotFoundError', async () => {
    await expect(store.read('gs://bucket-1/nope.csv')).rejects.toThrow(ObjectNotFoundError);
    await expect(store.read('gs://bucket-1/nope.csv')).rejects.toMatchObject({ uri: 'gs://bucket-1/nope.csv' });
  });

  it.each([
    '../outside.txt',
    'a/../../outside.txt',
    'gs://bucket/../../outside.txt',
    'gs://bucket/../../../etc/passwd',
    'file://../outside.txt',
    'file:///etc/passwd',
    '/etc/passwd',
    '.',
    'gs://bucket/..',
    'gs://bucket/../other-bucket/x',
    'with\0nul',
  ])('refuses %j, which escapes the root', async (uri) => {
    await expect(store.write(uri, 'pwned')).rejects.toThrow(/outside the object store root|NUL/);
    await expect(store.read(uri)).rejects.toThrow(/outside the object store root|NUL/);
    await expect(store.exists(uri)).rejects.toThrow(/outside the object store root|NUL/);
    expect(await readdir(parent)).toEqual(['root']);
    expect(await readdir(root)).toEqual([]);
  });

  it('refuses other URI schemes', async () => {
    await expect(store.read('https://example.com/x')).rejects.toThrow(/only gs:\/\//);
  });

  it('accepts names that merely start with two dots', async () => {
    await store.write('..hidden', 'ok');
    expect((await readFile(path.join(root, '..hidden'))).toString()).toBe('ok');
  });
});

describe('createObjectStore', () => {
  it('picks Cloud Storage when configured and the local folder otherwise', () => {
    expect(createObjectStore({ gcs: { projectId: 'p', apiEndpoint: 'http://127.0.0.1:1' }, localRoot: '/tmp/x' })).toBeInstanceOf(GcsObjectStore);
    expect(createObjectStore({ localRoot: '/tmp/x' })).toBeInstanceOf(LocalObjectStore);
    expect(() => createObjectStore({})).toThrow(/gcs options or a localRoot/);
  });
});
