export * from './deployables';
export * from './manifests';
export * from './files';
export * from './dockerfiles';
