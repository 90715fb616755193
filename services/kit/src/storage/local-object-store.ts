import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ObjectNotFoundError, parseGsUri, type ObjectStore } from './types';

function hasCode(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}

/**
 * ObjectStore in a folder, for one machine. `gs://bucket/path` maps to `<root>/bucket/path`;
 * `file://` URLs and plain paths are taken relative to the root (absolute ones must lie inside it).
 * Nothing outside the root is ever read or written. Content types are not kept locally.
 */
export class LocalObjectStore implements ObjectStore {
  private readonly root: string;

  constructor(rootDir: string) {
    this.root = path.resolve(rootDir);
  }

  /** The file an object URI names; throws when it would leave the root (or, for gs://, its bucket). */
  pathOf(uri: string): string {
    if (uri.includes('\0')) throw new Error(`${JSON.stringify(uri)} contains a NUL byte`);
    let base = this.root;
    let target: string;
    if (uri.startsWith('gs://')) {
      const { bucket, name } = parseGsUri(uri);
      base = path.join(this.root, bucket);
      target = path.resolve(base, name);
    } else if (uri.startsWith('file:///')) {
      target = fileURLToPath(uri);
    } else if (uri.startsWith('file://')) {
      target = path.resolve(this.root, decodeURIComponent(uri.slice('file://'.length)));
    } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri)) {
      throw new Error(`${uri}: only gs://, file:// and plain paths are supported by the local object store`);
    } else {
      target = path.resolve(this.root, uri);
    }
    const relative = path.relative(base, target);
    if (relative === '' || relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative)) {
      throw new Error(`${uri} resolves outside the object store root ${base}`);
    }
    return target;
  }

  async read(uri: string): Promise<Buffer> {
    try {
      return await readFile(this.pathOf(uri));
    } catch (err) {
      if (hasCode(err, 'ENOENT') || hasCode(err, 'EISDIR')) throw new ObjectNotFoundError(uri);
      throw err;
    }
  }

  async write(uri: string, data: Buffer | string): Promise<void> {
    const file = this.pathOf(uri);
    await mkdir(path.dirname(file), { recursive: true });
    // Write then rename, so a reader sees the old object or the new one, never half of it.
    const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(temporary, data);
      await rename(temporary, file);
    } catch (err) {
      await rm(temporary, { force: true });
      throw err;
    }
  }

  async exists(uri: string): Promise<boolean> {
    try {
      return (await stat(this.pathOf(uri))).isFile();
    } catch (err) {
      if (hasCode(err, 'ENOENT') || hasCode(err, 'ENOTDIR')) return false;
      throw err;
    }
  }
}
