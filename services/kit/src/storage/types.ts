/**
 * Objects port: Cloud Storage in production, a local folder on one machine.
 * Objects are named by `gs://bucket/path` URIs in both, so configuration reads the same.
 */
export interface ObjectStore {
  /** Rejects with ObjectNotFoundError when there is no such object. */
  read(uri: string): Promise<Buffer>;
  write(uri: string, data: Buffer | string, contentType?: string): Promise<void>;
  exists(uri: string): Promise<boolean>;
}

export class ObjectNotFoundError extends Error {
  constructor(readonly uri: string) {
    super(`${uri} does not exist`);
    this.name = 'ObjectNotFoundError';
  }
}

export interface GsLocation {
  bucket: string;
  name: string;
}

/** Bucket names as Cloud Storage allows them (lower case, digits, dot, dash, underscore). */
const GS_URI = /^gs:\/\/([a-z0-9][a-z0-9._-]{1,221}[a-z0-9])\/(.+)$/;

/** Splits `gs://bucket/path/to/object`; throws for anything else. */
export function parseGsUri(uri: string): GsLocation {
  const match = GS_URI.exec(uri);
  if (!match) throw new Error(`${uri} is not a gs://bucket/object URI`);
  return { bucket: match[1]!, name: match[2]! };
}

/** What a string body is stored as when the caller names no content type. */
export function defaultContentType(data: Buffer | string): string {
  return typeof data === 'string' ? 'text/plain; charset=utf-8' : 'application/octet-stream';
}
