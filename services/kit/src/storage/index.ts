export * from './types';
export * from './gcs-object-store';
export * from './local-object-store';
export * from './factory';
