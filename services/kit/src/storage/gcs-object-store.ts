import { Storage, type StorageOptions } from '@google-cloud/storage';
import { defaultContentType, ObjectNotFoundError, parseGsUri, type ObjectStore } from './types';

function isNotFound(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 404;
}

/** ObjectStore over Cloud Storage; the options reach the Storage client (project, credentials, apiEndpoint). */
export class GcsObjectStore implements ObjectStore {
  private readonly storage: Storage;

  constructor(options: StorageOptions = {}) {
    this.storage = new Storage(options);
  }

  async read(uri: string): Promise<Buffer> {
    const { bucket, name } = parseGsUri(uri);
    try {
      // download() checks the CRC32C the service sends, so a corrupted transfer rejects.
      const [data] = await this.storage.bucket(bucket).file(name).download();
      return data;
    } catch (err) {
      if (isNotFound(err)) throw new ObjectNotFoundError(uri);
      throw err;
    }
  }

  async write(uri: string, data: Buffer | string, contentType?: string): Promise<void> {
    const { bucket, name } = parseGsUri(uri);
    // One all-or-nothing request: the whole body is in memory already, so a resumable session buys nothing.
    await this.storage
      .bucket(bucket)
      .file(name)
      .save(typeof data === 'string' ? Buffer.from(data, 'utf8') : data, { resumable: false, contentType: contentType ?? defaultContentType(data) });
  }

  async exists(uri: string): Promise<boolean> {
    const { bucket, name } = parseGsUri(uri);
    const [found] = await this.storage.bucket(bucket).file(name).exists();
    return found;
  }
}
