export * from './deployables';
export * from './manifests';
export * from './files';
