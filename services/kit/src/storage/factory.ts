import type { StorageOptions } from '@google-cloud/storage';
import { GcsObjectStore } from './gcs-object-store';
import { LocalObjectStore } from './local-object-store';
import type { ObjectStore } from './types';

export interface ObjectStoreOptions {
  /** Folder for the embedded store, used when no Cloud Storage options are given. */
  localRoot?: string;
  /** Cloud Storage client options; their presence selects Cloud Storage. */
  gcs?: StorageOptions;
}

/** Cloud Storage when configured, otherwise the local folder. */
export function createObjectStore(options: ObjectStoreOptions): ObjectStore {
  if (options.gcs) return new GcsObjectStore(options.gcs);
  if (options.localRoot) return new LocalObjectStore(options.localRoot);
  throw new Error('createObjectStore needs either gcs options or a localRoot folder');
}
