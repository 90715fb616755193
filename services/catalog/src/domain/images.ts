/** Cloud Storage object URIs as images are stored: `gs://bucket/path/to/object` (object names may hold spaces, not control characters). */
// eslint-disable-next-line no-control-regex
export const GS_OBJECT_URI = /^gs:\/\/[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]\/[^\u0000-\u001f\u007f]+$/;

/**
 * The public URL of an image object: the load balancer serves `<assets base>/*` from the
 * bucket, so the bucket name is dropped and the object path kept, each segment URL-encoded.
 */
export function imageUrl(assetsBaseUrl: string, uri: string): string {
  const objectPath = uri.replace(/^gs:\/\/[^/]+\//, '');
  return `${assetsBaseUrl}/${objectPath.split('/').map(encodeURIComponent).join('/')}`;
}
